package dev.cmek.terraform;

import static dev.cmek.terraform.Hcl.raw;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HclTest {
    @TempDir
    Path dir;

    /** The file {@link #sample()} writes, as terraform fmt writes it. */
    private static final String FORMATTED = """
            resource "x" "y" {
              a = 1
              b = {
                c                = 1
                "sts:ExternalId" = "o-1"
              }
              dd = 2
              e  = "3"
              # a comment ends a run
              ffff = 4
              g = [
                {
                  h   = "i"
                  jjj = ["k", "l"]
                },
              ]
              m = jsonencode({
                Principal = {
                  AWS = aws_iam_role.cmek.arn
                }
                Empty = {}
              })

              lifecycle {
                prevent_destroy = true
              }
            }

            provider "p" {}
            """;

    private static String sample() throws Exception {
        Map<String, Hcl.Expr> object = new LinkedHashMap<>();
        object.put("c", raw("1"));
        object.put("sts:ExternalId", Hcl.str("o-1"));
        Map<String, Hcl.Expr> item = new LinkedHashMap<>();
        item.put("h", Hcl.str("i"));
        item.put("jjj", new Hcl.Tuple(List.of(Hcl.str("k"), Hcl.str("l"))));
        Hcl.Expr policy = Hcl.json(
                new ObjectMapper().readTree("{\"Principal\":{\"AWS\":\"arn:aws:iam::1:role/r\"},\"Empty\":{}}"),
                Map.of("arn:aws:iam::1:role/r", raw("aws_iam_role.cmek.arn")));
        return Hcl.file(f -> {
            f.block(
                    "resource",
                    List.of("x", "y"),
                    r -> r.attr("a", raw("1"))
                            .attr("b", Hcl.Obj.of(object))
                            .attr("dd", raw("2"))
                            .attr("e", "3")
                            .comment("a comment ends a run")
                            .attr("ffff", raw("4"))
                            .attr("g", new Hcl.Tuple(List.of(Hcl.Obj.of(item))))
                            .attr("m", Hcl.call("jsonencode", policy))
                            .blank()
                            .block("lifecycle", l -> l.attr("prevent_destroy", raw("true"))));
            f.blank();
            f.block("provider", List.of("p"), p -> {});
        });
    }

    @Test
    void file_alignsRunsOfOneLineAttributes_andIndentsAsTerraformFmt() throws Exception {
        assertEquals(FORMATTED, sample());
    }

    @Test
    void terraformFmt_agrees() throws Exception {
        Terraform tf = Terraform.require();
        Files.writeString(dir.resolve("sample.tf"), sample());
        Terraform.Result fmt = tf.run(dir, "fmt", "-check", "-diff", "-no-color");
        assertEquals(0, fmt.exit(), fmt.all());
    }

    @Test
    void strings_areEscaped_andNeverReadAsTemplates() {
        assertEquals("\"a\\\"b\\\\c$${x}%%{y}$%\\n\"", Hcl.quote("a\"b\\c${x}%{y}$%\n"));
        assertEquals("\"\\u0001\"", Hcl.quote("\u0001"));
    }
}
