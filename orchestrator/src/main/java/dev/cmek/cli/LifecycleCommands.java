package dev.cmek.cli;

import dev.cmek.ExitCode;
import dev.cmek.workflow.CmekLifecycle;

/** Printing a lifecycle outcome the same way for every changing command. */
final class LifecycleCommands {
    private LifecycleCommands() {}

    static ExitCode print(Report report, CmekLifecycle.Outcome outcome) {
        StatusView.Document doc =
                StatusView.document(outcome.clusterId(), outcome.action().name(), outcome.status());
        report.result(doc, StatusView.lines(doc));
        return ExitCode.OK;
    }
}
