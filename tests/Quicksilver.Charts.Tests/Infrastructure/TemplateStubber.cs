using System.Text;
using System.Text.RegularExpressions;

namespace Quicksilver.Charts.Tests.Infrastructure;

/// <summary>
/// Turns a Helm template into plain YAML by stubbing its Go-template actions, so that the YAML around them can be
/// parsed without helm:
/// <list type="bullet">
/// <item>comments (<c>{{/* */}}</c>) and lines holding only control actions (<c>if</c>, <c>else</c>, <c>end</c>,
/// <c>range</c>, <c>with</c>, <c>define</c>, variable assignments) are removed, so every branch is kept;</item>
/// <item>a line holding only an output action (<c>{{- include "x" . | nindent 6 }}</c>, <c>{{- toYaml . | nindent 8 }}</c>)
/// becomes one placeholder at the indentation <c>nindent</c>/<c>indent</c> names (else the line's own): a sequence item
/// <c>- stub</c> when its siblings are sequence items, else a key <c>stub-include.&lt;define&gt;: stub</c> (or
/// <c>stub-&lt;expression&gt;: stub</c>);</item>
/// <item>an action inside a line becomes a scalar: <c>stub-include.&lt;define&gt;</c> for includes (arguments dropped, so
/// the same define compares equal wherever it is called) and <c>stub_&lt;expression&gt;</c> for anything else.</item>
/// </list>
/// Limits: this checks the YAML skeleton of every branch at once, not what helm renders for given values; a branch
/// that is only valid together with another one, or output an action produces, is not checked.
/// </summary>
internal static partial class TemplateStubber
{
    /// <summary>The key prefix of placeholders for included defines.</summary>
    public const string IncludePrefix = "stub-include.";

    private static readonly string[] ControlKeywords = ["if", "else", "end", "range", "with", "define", "block", "break", "continue"];

    public static string Stub(string template)
    {
        string text = Comment().Replace(template, string.Empty);
        text = Action().Replace(text, match => match.Value.Replace('\n', ' ').Replace('\r', ' '));
        string[] lines = text.Split('\n');
        var output = new List<string>();
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (WholeLineActions().IsMatch(line))
            {
                string? placeholder = WholeLinePlaceholder(line, output, lines, i);
                if (placeholder is not null)
                {
                    output.Add(placeholder);
                }

                continue;
            }

            string replaced = Action().Replace(line, match => InlineStub(Body(match.Value)));
            if (!string.IsNullOrWhiteSpace(replaced) || string.IsNullOrWhiteSpace(line))
            {
                output.Add(replaced);
            }
        }

        return string.Join('\n', output);
    }

    /// <summary>The define an include action names, or null.</summary>
    public static string? IncludedDefine(string actionBody)
    {
        Match match = Include().Match(actionBody);
        return match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>Every <c>define</c> of a helpers file with its body (nested control actions matched).</summary>
    public static Dictionary<string, string> Defines(string helpers)
    {
        var defines = new Dictionary<string, string>(StringComparer.Ordinal);
        string text = Comment().Replace(helpers, string.Empty);
        string? name = null;
        int depth = 0;
        int bodyStart = 0;
        foreach (Match action in Action().Matches(text))
        {
            string body = Body(action.Value);
            string keyword = FirstWord(body);
            if (keyword == "define")
            {
                if (depth == 0)
                {
                    name = DefineName().Match(body).Groups[1].Value;
                    bodyStart = action.Index + action.Length;
                }

                depth++;
            }
            else if (keyword is "if" or "range" or "with" or "block")
            {
                depth++;
            }
            else if (keyword == "end")
            {
                depth--;
                if (depth == 0 && name is not null)
                {
                    defines[name] = text[bodyStart..action.Index];
                    name = null;
                }
            }
        }

        return defines;
    }

    private static string? WholeLinePlaceholder(string line, List<string> output, string[] lines, int index)
    {
        string[] bodies = [.. Action().Matches(line).Select(match => Body(match.Value))];
        string? outputBody = bodies.FirstOrDefault(body => !IsControl(body));
        if (outputBody is null)
        {
            return null;
        }

        Match indent = Indent().Match(outputBody);
        int column = indent.Success ? int.Parse(indent.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : line.Length - line.TrimStart().Length;
        string pad = new(' ', column);
        return IsSequenceContext(column, output, lines, index)
            ? $"{pad}- {InlineStub(outputBody)}"
            : $"{pad}{InlineStub(outputBody)}: stub";
    }

    /// <summary>Whether the nearest sibling at <paramref name="column"/> (before, else after) is a sequence item.</summary>
    private static bool IsSequenceContext(int column, List<string> output, string[] lines, int index)
    {
        bool? Sibling(IEnumerable<string> candidates)
        {
            foreach (string candidate in candidates)
            {
                if (string.IsNullOrWhiteSpace(candidate) || WholeLineActions().IsMatch(candidate) || candidate.TrimStart().StartsWith('#'))
                {
                    continue;
                }

                int indentation = candidate.Length - candidate.TrimStart().Length;
                if (indentation < column)
                {
                    return null;
                }

                if (indentation == column)
                {
                    return candidate.TrimStart().StartsWith("- ", StringComparison.Ordinal) || candidate.Trim() == "-";
                }
            }

            return null;
        }

        return Sibling(Enumerable.Reverse(output)) ?? Sibling(lines.Skip(index + 1)) ?? false;
    }

    private static bool IsControl(string body)
    {
        string keyword = FirstWord(body);
        return ControlKeywords.Contains(keyword) || Assignment().IsMatch(body) || body.Length == 0;
    }

    private static string InlineStub(string body)
    {
        if (IsControl(body))
        {
            return string.Empty;
        }

        string? define = IncludedDefine(body);
        return define is not null ? IncludePrefix + define : "stub_" + Unsafe().Replace(body, "_").Trim('_');
    }

    private static string Body(string action)
    {
        string inner = action[2..^2];
        inner = inner.StartsWith('-') ? inner[1..] : inner;
        inner = inner.EndsWith('-') ? inner[..^1] : inner;
        return inner.Trim();
    }

    private static string FirstWord(string body)
    {
        int end = body.IndexOfAny([' ', '\t']);
        return end < 0 ? body : body[..end];
    }

    [GeneratedRegex(@"\{\{-?\s*/\*.*?\*/\s*-?\}\}", RegexOptions.Singleline)]
    private static partial Regex Comment();

    [GeneratedRegex(@"\{\{.*?\}\}", RegexOptions.Singleline)]
    private static partial Regex Action();

    [GeneratedRegex(@"^\s*(\{\{.*?\}\}\s*)+$")]
    private static partial Regex WholeLineActions();

    [GeneratedRegex(@"\|\s*n?indent\s+(\d+)\s*$")]
    private static partial Regex Indent();

    [GeneratedRegex(@"^\$\w*\s*:?=")]
    private static partial Regex Assignment();

    [GeneratedRegex(@"\binclude\s+""([^""]+)""")]
    private static partial Regex Include();

    [GeneratedRegex(@"^define\s+""([^""]+)""")]
    private static partial Regex DefineName();

    [GeneratedRegex(@"[^A-Za-z0-9._$-]+")]
    private static partial Regex Unsafe();
}
