package dev.cmek.terraform;

import java.util.List;
import java.util.Map;

/** The cloud side of an export: one directory of Terraform files for the cluster's cloud. */
interface CloudConfiguration {
    /** {@code aws}, {@code gcp} or {@code azure}: the directory under the export's, and the state {@code ../cockroach} reads. */
    String directory();

    /** File name to content, in the order they are written. */
    Map<String, String> files();

    /** The address of every resource an {@code import} block adopts (none unless importing). */
    List<String> imports();

    /** The address of every resource of the configuration that exists already, importing or not. */
    List<String> existing();

    /** The key URI of each region, where it is known before applying (keys that exist, or named in advance). */
    Map<String, String> keyUris();
}
