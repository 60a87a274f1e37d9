package dev.cmek.aws;

import dev.cmek.core.Control;
import dev.cmek.core.ControlResult;
import java.util.List;
import java.util.Optional;

/** The role's two controls: it trusts only the cluster's account, and only with the organization id as external id. */
final class RoleControls {
    private RoleControls() {}

    static List<ControlResult> of(Optional<CrossAccountRole.Live> live, AwsCmekRequest req) {
        ResourceNames names = req.names();
        if (live.isEmpty()) {
            String missing = "role " + names.roleName() + " does not exist";
            String fix = "run `cmek provision` to make it again, then `cmek verify`";
            return List.of(
                    ControlResult.fail(Control.PRINCIPAL_TRUST, missing, fix),
                    ControlResult.fail(Control.EXTERNAL_ID, missing, fix));
        }
        CrossAccountRole.Live role = live.get();
        TrustPolicy intended = req.trustPolicy(role.arn().partition());
        ControlResult trust;
        if (!names.isOurs(role.tags())) {
            trust = ControlResult.fail(
                    Control.PRINCIPAL_TRUST,
                    "role " + names.roleName() + " exists but is not tagged as ours",
                    "find out who made it; cmek never adopts a role it did not make");
        } else {
            List<String> findings = intended.trustFindings(role.trust());
            trust = findings.isEmpty()
                    ? ControlResult.pass(
                            Control.PRINCIPAL_TRUST,
                            "role " + role.arn() + " trusts only "
                                    + req.trustedAccount()
                                            .rootPrincipal(role.arn().partition()))
                    : ControlResult.fail(
                            Control.PRINCIPAL_TRUST,
                            findings,
                            "`cmek provision --aws-repair-drift` puts the trust policy back (after a revocation:"
                                    + " `cmek restore`)");
        }
        List<String> ext = intended.externalIdFindings(role.trust());
        ControlResult externalId = ext.isEmpty()
                ? ControlResult.pass(
                        Control.EXTERNAL_ID,
                        "every statement letting the role be assumed requires sts:ExternalId = " + req.externalId())
                : ControlResult.fail(
                        Control.EXTERNAL_ID,
                        ext,
                        "`cmek provision --aws-repair-drift` puts the external id condition back"
                                + " (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html)");
        return List.of(trust, externalId);
    }
}
