import { parse } from "@cdktf/hcl2json";
import { describe, expect, it } from "vitest";
import { attr, blank, block, comment, formatFile, quote, ref } from "../../src/export/hcl.js";

describe("formatFile (terraform fmt layout)", () => {
  it("aligns = in runs of one-line attributes; a multi-line value is not aligned and ends the run", () => {
    const text = formatFile([
      comment("head"),
      block(
        "resource",
        ["aws_lb", "x"],
        [
          attr("name", "a"),
          attr("load_balancer_type", "network"),
          attr("tags", { Name: "a", "vpcwire:stack": "s" }),
          attr("internal", true),
          blank(),
          attr("subnets", ["subnet-1", ref("aws_subnet.b.id")]),
          block("health_check", [], [attr("port", "traffic-port"), attr("interval", 10)]),
        ],
      ),
    ]);
    expect(text).toBe(
      [
        "# head",
        'resource "aws_lb" "x" {',
        '  name               = "a"',
        '  load_balancer_type = "network"',
        "  tags = {",
        '    Name            = "a"',
        '    "vpcwire:stack" = "s"',
        "  }",
        "  internal = true",
        "",
        '  subnets = ["subnet-1", aws_subnet.b.id]',
        "  health_check {",
        '    port     = "traffic-port"',
        "    interval = 10",
        "  }",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("quotes so that nothing in a value is read as a template or breaks the string", async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${ is what is being escaped
    expect(quote('a "b" ${c} %{d} \\')).toBe('"a \\"b\\" $${c} %%{d} \\\\"');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${ is what is being escaped
    const parsed = (await parse("x.tf", formatFile([block("locals", [], [attr("v", 'a "b" ${c} %{d} \\\n')])]))) as { locals: Array<{ v: string }> };
    // hcl2json answers in HCL's JSON syntax, where strings are templates too: a literal `${` stays `$${` there.
    expect(parsed.locals[0]!.v).toBe('a "b" $${c} %%{d} \\\n');
  });
});
