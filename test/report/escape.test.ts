import { describe, expect, it } from "vitest";
import {
  escapeHtml,
  html,
  joinHtml,
  mdCodeBlock,
  mdText,
  trustedHtml,
} from "../../src/report/escape.js";
import { HOSTILE } from "./hostile.js";

describe("HTML escaping", () => {
  it("escapes the five markup characters, backtick, and drops control characters", () => {
    expect(escapeHtml(`<a href="x" title='y'>&\`</a>`)).toBe(
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;",
    );
    expect(escapeHtml("a\u0000b\u0007c\td\ne")).toBe("abc\td\ne");
  });

  it("the html tag escapes every interpolation unless it is SafeHtml", () => {
    const user = "<img src=x onerror=alert(1)>";
    const out = html`<p title="${user}">${user}</p>${trustedHtml("<b>ok</b>")}`;
    expect(out.value).toBe(
      '<p title="&lt;img src=x onerror=alert(1)&gt;">&lt;img src=x onerror=alert(1)&gt;</p><b>ok</b>',
    );
    expect(html`${["<i>", html`<i>`]}`.value).toBe("&lt;i&gt;<i>");
    expect(html`${null}${undefined}${false}${3}${Number.NaN}`.value).toBe("3—");
    expect(joinHtml(["<", html`<br>`], "|").value).toBe("&lt;|<br>");
  });

  it("no hostile payload keeps a tag opener or quote after escaping", () => {
    for (const p of HOSTILE) {
      const e = html`<pre>${p}</pre><span title="${p}"></span>`.value;
      const inner = e.slice(5, e.indexOf("</pre>"));
      expect(inner).not.toMatch(/[<>"'`]/);
    }
  });
});

describe("Markdown escaping", () => {
  it("backslash-escapes every character that can start Markdown or HTML syntax", () => {
    expect(mdText("**bold** [x](javascript:alert(1)) <b> | a_b ~~s~~ $x$ &amp; www.evil.com")).toBe(
      "\\*\\*bold\\*\\* \\[x\\]\\(javascript\\:alert\\(1\\)\\) \\<b\\> \\| a\\_b \\~\\~s\\~\\~ \\$x\\$ \\&amp; www\\.evil\\.com",
    );
  });

  it("folds line breaks so a value cannot start a block (heading, list, table row, HTML block)", () => {
    const s = mdText("ok\n# heading\n- item\n<script>x</script>\n| a | b |", 1000);
    expect(s).not.toContain("\n");
    expect(s).toBe("ok \\# heading \\- item \\<script\\>x\\</script\\> \\| a \\| b \\|");
  });

  it("every special character in escaped text is part of a backslash escape", () => {
    for (const p of HOSTILE) {
      const unescaped = mdText(p).replace(/\\[\s\S]/g, "");
      expect(unescaped, p).not.toMatch(/[\\`*_{}[\]()<>#+\-.!|~&:@$^]/);
    }
  });

  it("truncates long text by characters", () => {
    expect(mdText("abcdef", 3)).toBe("abc…");
  });

  it("code blocks use a fence longer than any backtick run inside", () => {
    const body = "a ``` b\n````\n<script>x</script>";
    const block = mdCodeBlock(body);
    const lines = block.split("\n");
    expect(lines[0]).toBe("`````text");
    expect(lines.at(-1)).toBe("`````");
    expect(block).toContain("<script>x</script>");
    // Nothing inside can close the fence: no line is a run of ≥5 backticks.
    for (const l of lines.slice(1, -1)) expect(/^\s*`{5,}\s*$/.test(l)).toBe(false);
    expect(mdCodeBlock("x")).toBe("```text\nx\n```");
  });
});
