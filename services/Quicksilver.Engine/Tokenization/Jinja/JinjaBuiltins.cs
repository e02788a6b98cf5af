using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Quicksilver.Engine.Tokenization.Jinja;

/// <summary>
/// The filters, tests and methods chat templates use, with Jinja's and Python's behaviour, and Hugging Face's
/// <c>tojson</c> (<c>json.dumps</c> without ASCII escaping or key sorting). A template naming a filter or test not here
/// fails when it loads.
/// </summary>
internal static partial class JinjaBuiltins
{
    public static readonly HashSet<string> Filters = new(StringComparer.Ordinal)
    {
        "trim", "length", "count", "tojson", "string", "int", "float", "lower", "upper", "title", "capitalize", "default", "d",
        "first", "last", "join", "list", "items", "reverse", "replace", "safe", "abs", "select", "reject", "selectattr", "rejectattr",
        "map", "sort", "unique", "indent", "min", "max", "sum", "dictsort", "wordcount", "striptags", "e", "escape", "format",
    };

    public static readonly HashSet<string> Tests = new(StringComparer.Ordinal)
    {
        "defined", "undefined", "none", "string", "number", "integer", "float", "boolean", "true", "false", "mapping", "iterable",
        "sequence", "callable", "equalto", "eq", "==", "ne", "!=", "lt", "<", "le", "<=", "gt", ">", "ge", ">=", "in", "odd", "even",
        "divisibleby", "lower", "upper", "sameas",
    };

    public static object? Filter(string name, object? value, List<object?> arguments, Dictionary<string, object?> keywords, Func<string, object?, List<object?>, bool> test, int line)
    {
        object? Argument(int index, string keyword, object? fallback) =>
            index < arguments.Count ? arguments[index] : keywords.TryGetValue(keyword, out object? named) ? named : fallback;

        bool caseSensitive(int index) => JinjaValues.IsTrue(Argument(index, "case_sensitive", false));

        switch (name)
        {
            case "trim":
                return Argument(0, "chars", null) is string chars ? StripChars(Text(value, line), chars, start: true, end: true) : PythonText.Strip(Text(value, line));
            case "length" or "count":
                return value switch
                {
                    JinjaGenerator => throw new JinjaException($"line {line}: a generator has no length; pass it through |list first"),
                    string s => (long)s.EnumerateRunes().Count(),
                    OrderedDictionary<string, object?> dict => (long)dict.Count,
                    _ => (long)JinjaValues.Items(value, line).Count,
                };
            case "tojson":
                return ToJson(
                    value,
                    ensureAscii: JinjaValues.IsTrue(Argument(0, "ensure_ascii", false)),
                    indent: Argument(1, "indent", null) is long indent ? (int)indent : null,
                    separators: Argument(2, "separators", null) is List<object?> { Count: 2 } pair ? (Text(pair[0], line), Text(pair[1], line)) : null,
                    sortKeys: JinjaValues.IsTrue(Argument(3, "sort_keys", false)));
            case "string" or "safe":
                return name == "safe" ? value : JinjaValues.Text(value);
            case "e" or "escape":
                return string.Concat(JinjaValues.Text(value).Select(c => c switch
                {
                    '&' => "&amp;",
                    '<' => "&lt;",
                    '>' => "&gt;",
                    '"' => "&#34;",
                    '\'' => "&#39;",
                    _ => c.ToString(),
                }));
            case "striptags":
                string stripped = Tags().Replace(JinjaValues.Text(value), string.Empty);
                return System.Net.WebUtility.HtmlDecode(string.Join(' ', stripped.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
            case "int":
                return ToInteger(Defined(value, name, line), Argument(0, "default", 0L));
            case "float":
                return ToFloat(Defined(value, name, line), Argument(0, "default", 0.0));
            case "lower":
                return Text(value, line).ToLowerInvariant();
            case "upper":
                return Text(value, line).ToUpperInvariant();
            case "title":
                return Title(Text(value, line));
            case "capitalize":
                string text = Text(value, line);
                return text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..].ToLowerInvariant();
            case "default" or "d":
                bool boolean = JinjaValues.IsTrue(Argument(1, "boolean", false));
                return value is Undefined || (boolean && !JinjaValues.IsTrue(value)) ? Argument(0, "default_value", string.Empty) : value;
            case "first":
                return JinjaValues.Items(value, line) is [var head, ..] ? head : Undefined.Instance;
            case "last":
                return value is JinjaGenerator
                    ? throw new JinjaException($"line {line}: a generator is not reversible; pass it through |list first")
                    : JinjaValues.Items(value, line) is [.., var tail] ? tail : Undefined.Instance;
            case "join":
                string separator = Argument(0, "d", string.Empty) as string ?? string.Empty;
                IEnumerable<object?> joined = JinjaValues.Items(value, line);
                if (Argument(1, "attribute", null) is { } joinAttribute)
                {
                    joined = joined.Select(item => AttributePath(item, joinAttribute, line));
                }

                return string.Join(separator, joined.Select(JinjaValues.Text));
            case "list":
                return new List<object?>(JinjaValues.Items(value, line));
            case "items":
                return value switch
                {
                    OrderedDictionary<string, object?> pairs => new JinjaGenerator(pairs.Select(entry => (object?)new JinjaTuple([entry.Key, entry.Value]))),
                    Undefined => new JinjaGenerator([]),
                    _ => throw new JinjaException($"line {line}: items of {JinjaValues.TypeName(value)}"),
                };
            case "dictsort":
                return value is OrderedDictionary<string, object?> sorted
                    ? sorted.OrderBy(entry => caseSensitive(0) ? entry.Key : entry.Key.ToLowerInvariant(), StringComparer.Ordinal)
                        .Select(entry => (object?)new JinjaTuple([entry.Key, entry.Value])).ToList()
                    : throw new JinjaException($"line {line}: dictsort of {JinjaValues.TypeName(value)}");
            case "reverse":
                return value switch
                {
                    string reversed => string.Concat(reversed.EnumerateRunes().Reverse()),
                    JinjaGenerator => throw new JinjaException($"line {line}: a generator is not reversible; pass it through |list first"),
                    _ => new JinjaGenerator(Enumerable.Reverse(JinjaValues.Items(value, line))),
                };
            case "replace":
                return Replace(Text(value, line), Text(Argument(0, "old", string.Empty), line), Text(Argument(1, "new", string.Empty), line), Argument(2, "count", null) as long?);
            case "abs":
                return value switch
                {
                    long l => (object)Math.Abs(l),
                    double d => Math.Abs(d),
                    bool b => b ? 1L : 0L,
                    _ => throw new JinjaException($"line {line}: abs of {JinjaValues.TypeName(value)}"),
                };
            case "select" or "reject":
                return new JinjaGenerator(JinjaValues.Items(value, line).Where(item =>
                    (arguments.Count > 0 ? test(Text(arguments[0], line), item, [.. arguments.Skip(1)]) : JinjaValues.IsTrue(item)) == (name == "select")));
            case "selectattr" or "rejectattr":
                return new JinjaGenerator(JinjaValues.Items(value, line).Where(item =>
                {
                    object? member = AttributePath(item, arguments[0], line);
                    bool holds = arguments.Count > 1 ? test(Text(arguments[1], line), member, [.. arguments.Skip(2)]) : JinjaValues.IsTrue(member);
                    return holds == (name == "selectattr");
                }));
            case "map":
                if (keywords.TryGetValue("attribute", out object? attribute))
                {
                    return new JinjaGenerator(JinjaValues.Items(value, line).Select(item =>
                        AttributePath(item, attribute, line) is var member && member is Undefined && keywords.TryGetValue("default", out object? fallback) ? fallback : member));
                }

                string mapped = Text(Argument(0, "filter", null), line);
                return new JinjaGenerator(JinjaValues.Items(value, line).Select(item => Filter(mapped, item, [.. arguments.Skip(1)], [], test, line)));
            case "sort":
                object? sortAttribute = Argument(2, "attribute", null);
                List<object?> items = [.. JinjaValues.Items(value, line)];
                List<object?> keys = [.. items.Select(item => SortKey(sortAttribute is null ? item : AttributePath(item, sortAttribute, line), caseSensitive(1)))];
                int direction = JinjaValues.IsTrue(Argument(0, "reverse", false)) ? -1 : 1;
                int[] order = [.. Enumerable.Range(0, items.Count)];

                // Python's sort is stable in both directions: equal keys keep their order.
                Array.Sort(order, (x, y) => OrderOf(keys[x], keys[y], line) * direction is var c && c != 0 ? c : x.CompareTo(y));
                return order.Select(i => items[i]).ToList();
            case "unique":
                var unique = new List<object?>();
                var seen = new List<object?>();
                object? uniqueAttribute = Argument(1, "attribute", null);
                foreach (object? item in JinjaValues.Items(value, line))
                {
                    object? key = SortKey(uniqueAttribute is null ? item : AttributePath(item, uniqueAttribute, line), caseSensitive(0));
                    if (!seen.Any(other => JinjaValues.Equals(other, key)))
                    {
                        seen.Add(key);
                        unique.Add(item);
                    }
                }

                return new JinjaGenerator(unique);
            case "min" or "max":
                List<object?> candidates = [.. JinjaValues.Items(value, line)];
                if (candidates.Count == 0)
                {
                    return Undefined.Instance;
                }

                object? extremeAttribute = Argument(1, "attribute", null);
                object? best = candidates[0];
                foreach (object? candidate in candidates.Skip(1))
                {
                    object? a = SortKey(extremeAttribute is null ? candidate : AttributePath(candidate, extremeAttribute, line), caseSensitive(0));
                    object? b = SortKey(extremeAttribute is null ? best : AttributePath(best, extremeAttribute, line), caseSensitive(0));
                    int comparison = OrderOf(a, b, line);
                    if (name == "min" ? comparison < 0 : comparison > 0)
                    {
                        best = candidate;
                    }
                }

                return best;
            case "sum":
                object? sumAttribute = Argument(0, "attribute", null);
                return JinjaValues.Items(value, line).Aggregate(Argument(1, "start", 0L), (total, item) =>
                    JinjaValues.Arithmetic("+", total, sumAttribute is null ? item : AttributePath(item, sumAttribute, line), line));
            case "indent":
                return Indent(Text(Defined(value, name, line), line), Argument(0, "width", 4L), JinjaValues.IsTrue(Argument(1, "first", false)), JinjaValues.IsTrue(Argument(2, "blank", false)));
            case "format":
                return JinjaValues.Format(Text(value, line), arguments.Count == 1 ? arguments[0] : new JinjaTuple(arguments), line);
            case "wordcount":
                return (long)Words().Count(Text(value, line));
            default:
                throw new JinjaException($"line {line}: unknown filter '{name}'");
        }
    }

    public static bool Test(string name, object? value, List<object?> arguments, int line)
    {
        object? other = arguments.Count > 0 ? arguments[0] : null;
        return name switch
        {
            "defined" => value is not Undefined,
            "undefined" => value is Undefined,
            "none" => value is null,
            "string" => value is string,
            "number" => value is long or double or bool,
            "integer" => value is long,
            "float" => value is double,
            "boolean" => value is bool,
            "true" => value is true,
            "false" => value is false,
            "mapping" => value is OrderedDictionary<string, object?>,
            "iterable" => value is string or List<object?> or OrderedDictionary<string, object?> or Undefined,
            "sequence" => value is string or List<object?> or OrderedDictionary<string, object?> or Undefined,
            "callable" => value is JinjaCallable or Undefined,
            "equalto" or "eq" or "==" => JinjaValues.Equals(value, other),
            "sameas" => SameAs(value, other),
            "ne" or "!=" => !JinjaValues.Equals(value, other),
            "lt" or "<" => JinjaValues.Compare(value, other, line) < 0,
            "le" or "<=" => JinjaValues.Compare(value, other, line) <= 0,
            "gt" or ">" => JinjaValues.Compare(value, other, line) > 0,
            "ge" or ">=" => JinjaValues.Compare(value, other, line) >= 0,
            "in" => JinjaValues.Contains(other, value, line),
            "odd" => JinjaValues.IsNumber(value) && JinjaValues.Equals(JinjaValues.Arithmetic("%", value, 2L, line), 1L),
            "even" => JinjaValues.IsNumber(value) && JinjaValues.Equals(JinjaValues.Arithmetic("%", value, 2L, line), 0L),
            "divisibleby" => JinjaValues.IsNumber(value) && JinjaValues.IsNumber(other) && JinjaValues.ToDouble(other) != 0
                && JinjaValues.Equals(JinjaValues.Arithmetic("%", value, other, line), 0L),
            "lower" => value is string lower && lower.Any(char.IsLetter) && !lower.Any(char.IsUpper),
            "upper" => value is string upper && upper.Any(char.IsLetter) && !upper.Any(char.IsLower),
            _ => throw new JinjaException($"line {line}: unknown test '{name}'"),
        };
    }

    /// <summary>
    /// <c>target.name</c> as Jinja reads it: a method of a string or dict; else a dict's item, a namespace's or loop's
    /// attribute; undefined when there is none. An attribute of an undefined value is an error, as in Jinja.
    /// </summary>
    public static object? Member(object? target, string name, int line) => target switch
    {
        Undefined => throw new JinjaException($"line {line}: '{name}' of an undefined value"),
        string s => StringMethod(s, name, line),
        OrderedDictionary<string, object?> dict => DictMethod(dict, name) ?? (dict.TryGetValue(name, out object? item) ? item : Undefined.Instance),
        JinjaNamespace ns => ns.Attributes.TryGetValue(name, out object? attribute) ? attribute : Undefined.Instance,
        LoopInfo loop => loop.Attribute(name),
        _ => Undefined.Instance,
    };

    /// <summary>Python's <c>json.dumps</c> with the arguments Hugging Face's <c>tojson</c> passes it.</summary>
    public static string ToJson(object? value, bool ensureAscii = false, int? indent = null, (string Item, string Key)? separators = null, bool sortKeys = false)
    {
        var text = new StringBuilder();
        WriteJson(text, value, new JsonLayout(ensureAscii, indent, separators ?? (indent is null ? (", ", ": ") : (",", ": ")), sortKeys), 0);
        return text.ToString();
    }

    private sealed record JsonLayout(bool EnsureAscii, int? Indent, (string Item, string Key) Separators, bool SortKeys);

    private static void WriteJson(StringBuilder text, object? value, JsonLayout layout, int depth)
    {
        string newline = layout.Indent is { } width ? "\n" + new string(' ', width * (depth + 1)) : string.Empty;
        string closing = layout.Indent is { } w ? "\n" + new string(' ', w * depth) : string.Empty;
        switch (value)
        {
            case null:
                text.Append("null");
                break;
            case bool b:
                text.Append(b ? "true" : "false");
                break;
            case long l:
                text.Append(l.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                text.Append(double.IsFinite(d) ? JinjaValues.FloatText(d) : double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
                break;
            case string s:
                JsonString(text, s, layout.EnsureAscii);
                break;
            case JinjaGenerator:
                throw new JinjaException("a generator cannot be written as JSON; pass it through |list first");
            case List<object?> list:
                text.Append('[');
                for (int i = 0; i < list.Count; i++)
                {
                    text.Append(i == 0 ? string.Empty : layout.Separators.Item).Append(newline);
                    WriteJson(text, list[i], layout, depth + 1);
                }

                text.Append(list.Count > 0 ? closing : string.Empty).Append(']');
                break;
            case OrderedDictionary<string, object?> dict:
                text.Append('{');
                IEnumerable<KeyValuePair<string, object?>> entries = layout.SortKeys ? dict.OrderBy(entry => entry.Key, StringComparer.Ordinal) : dict;
                int index = 0;
                foreach ((string key, object? item) in entries)
                {
                    text.Append(index++ == 0 ? string.Empty : layout.Separators.Item).Append(newline);
                    JsonString(text, key, layout.EnsureAscii);
                    text.Append(layout.Separators.Key);
                    WriteJson(text, item, layout, depth + 1);
                }

                text.Append(dict.Count > 0 ? closing : string.Empty).Append('}');
                break;
            default:
                throw new JinjaException($"{JinjaValues.TypeName(value)} cannot be written as JSON");
        }
    }

    /// <summary>A JSON string as Python's <c>json.dumps</c> writes it: control characters as <c>\u00xx</c>, the rest as is (or, with <paramref name="ensureAscii"/>, as <c>\uxxxx</c> beyond ASCII).</summary>
    private static void JsonString(StringBuilder text, string value, bool ensureAscii)
    {
        text.Append('"');
        foreach (char c in value)
        {
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\b' => "\\b",
                '\f' => "\\f",
                _ when c < 0x20 || (ensureAscii && c > 0x7e) => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }

        text.Append('"');
    }

    /// <summary>An item's attribute as Jinja's <c>attribute=</c> arguments read it: a dotted path, integer parts indexing lists.</summary>
    private static object? AttributePath(object? item, object? path, int line)
    {
        object? current = item;
        foreach (string part in (path is long index ? index.ToString(CultureInfo.InvariantCulture) : Text(path, line)).Split('.'))
        {
            current = current switch
            {
                List<object?> list when int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int at) => at < list.Count ? list[at] : Undefined.Instance,
                _ => Member(current, part, line),
            };
        }

        return current;
    }

    private static object? SortKey(object? value, bool caseSensitive) => !caseSensitive && value is string s ? s.ToLowerInvariant() : value;

    private static int OrderOf(object? a, object? b, int line) => JinjaValues.Compare(a, b, line);

    private static object? Defined(object? value, string filter, int line) =>
        value is Undefined ? throw new JinjaException($"line {line}: |{filter} of an undefined value") : value;

    /// <summary>Python's <c>x is y</c> for template values: the same None or boolean, the same integer, else the same object.</summary>
    private static bool SameAs(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (bool x, bool y) => x == y,
        (long x, long y) => x == y,
        _ => ReferenceEquals(a, b),
    };

    private static JinjaCallable? DictMethod(OrderedDictionary<string, object?> dict, string name) => name switch
    {
        "items" => new JinjaCallable("items", (_, _) => dict.Select(entry => (object?)new JinjaTuple([entry.Key, entry.Value])).ToList()),
        "keys" => new JinjaCallable("keys", (_, _) => dict.Keys.Select(key => (object?)key).ToList()),
        "values" => new JinjaCallable("values", (_, _) => dict.Values.ToList()),
        "get" => new JinjaCallable("get", (arguments, _) => arguments is [string key, ..] && dict.TryGetValue(key, out object? item) ? item : arguments.Count > 1 ? arguments[1] : null),
        _ => null,
    };

    private static object? StringMethod(string s, string name, int line)
    {
        string Arg(List<object?> arguments, int index) => Text(arguments[index], line);
        string? Chars(List<object?> arguments) => arguments is [string chars, ..] ? chars : null;
        long MaxSplit(List<object?> arguments, Dictionary<string, object?> keywords) =>
            arguments.Count > 1 && arguments[1] is long max ? max : keywords.TryGetValue("maxsplit", out object? m) && m is long km ? km : -1;
        return name switch
        {
            "startswith" => new JinjaCallable(name, (a, _) => Prefixes(a[0], line).Any(p => s.StartsWith(p, StringComparison.Ordinal))),
            "endswith" => new JinjaCallable(name, (a, _) => Prefixes(a[0], line).Any(p => s.EndsWith(p, StringComparison.Ordinal))),
            "strip" => new JinjaCallable(name, (a, _) => Chars(a) is { } chars ? StripChars(s, chars, start: true, end: true) : PythonText.Strip(s)),
            "lstrip" => new JinjaCallable(name, (a, _) => Chars(a) is { } chars ? StripChars(s, chars, start: true, end: false) : PythonText.StripStart(s)),
            "rstrip" => new JinjaCallable(name, (a, _) => Chars(a) is { } chars ? StripChars(s, chars, start: false, end: true) : PythonText.StripEnd(s)),
            "split" => new JinjaCallable(name, (a, k) => Split(s, a.Count > 0 ? a[0] as string : null, MaxSplit(a, k))),
            "rsplit" => new JinjaCallable(name, (a, k) => RightSplit(s, a.Count > 0 ? a[0] as string : null, MaxSplit(a, k))),
            "replace" => new JinjaCallable(name, (a, _) => Replace(s, Arg(a, 0), Arg(a, 1), a.Count > 2 ? a[2] as long? : null)),
            "upper" => new JinjaCallable(name, (_, _) => s.ToUpperInvariant()),
            "lower" => new JinjaCallable(name, (_, _) => s.ToLowerInvariant()),
            "title" => new JinjaCallable(name, (_, _) => PythonTitle(s)),
            "capitalize" => new JinjaCallable(name, (_, _) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant()),
            "find" => new JinjaCallable(name, (a, _) => (long)s.IndexOf(Arg(a, 0), StringComparison.Ordinal)),
            "rfind" => new JinjaCallable(name, (a, _) => (long)s.LastIndexOf(Arg(a, 0), StringComparison.Ordinal)),
            "removeprefix" => new JinjaCallable(name, (a, _) => s.StartsWith(Arg(a, 0), StringComparison.Ordinal) ? s[Arg(a, 0).Length..] : s),
            "removesuffix" => new JinjaCallable(name, (a, _) => Arg(a, 0).Length > 0 && s.EndsWith(Arg(a, 0), StringComparison.Ordinal) ? s[..^Arg(a, 0).Length] : s),
            "count" => new JinjaCallable(name, (a, _) => (long)(Arg(a, 0).Length == 0 ? s.Length + 1 : (s.Length - s.Replace(Arg(a, 0), string.Empty, StringComparison.Ordinal).Length) / Arg(a, 0).Length)),
            "join" => new JinjaCallable(name, (a, _) => string.Join(s, JinjaValues.Items(a[0], line).Select(JinjaValues.Text))),
            "splitlines" => new JinjaCallable(name, (_, _) => SplitLines(s).Select(part => (object?)part).ToList()),
            "partition" => new JinjaCallable(name, (a, _) => Partition(s, Arg(a, 0), s.IndexOf(Arg(a, 0), StringComparison.Ordinal), fromRight: false)),
            "rpartition" => new JinjaCallable(name, (a, _) => Partition(s, Arg(a, 0), s.LastIndexOf(Arg(a, 0), StringComparison.Ordinal), fromRight: true)),
            "isspace" => new JinjaCallable(name, (_, _) => s.Length > 0 && s.All(PythonText.IsWhitespace)),
            "isdigit" => new JinjaCallable(name, (_, _) => s.Length > 0 && s.All(char.IsDigit)),
            _ => Undefined.Instance,
        };
    }

    /// <summary>Python's <c>partition</c>/<c>rpartition</c>: (before, separator, after), the whole text on the side it was not found.</summary>
    private static JinjaTuple Partition(string s, string separator, int at, bool fromRight) =>
        at < 0
            ? new JinjaTuple(fromRight ? [string.Empty, string.Empty, s] : [s, string.Empty, string.Empty])
            : new JinjaTuple([s[..at], separator, s[(at + separator.Length)..]]);

    private static IEnumerable<string> Prefixes(object? prefix, int line) => prefix is List<object?> list ? list.Select(p => Text(p, line)) : [Text(prefix, line)];

    /// <summary>Python's <c>strip(chars)</c>: an empty set of characters strips nothing.</summary>
    private static string StripChars(string s, string chars, bool start, bool end)
    {
        if (chars.Length == 0)
        {
            return s;
        }

        char[] set = chars.ToCharArray();
        return start && end ? s.Trim(set) : start ? s.TrimStart(set) : s.TrimEnd(set);
    }

    /// <summary>Python's <c>str.split(sep, maxsplit)</c>: on runs of whitespace without a separator, the rest kept whole after <paramref name="maxSplit"/> splits.</summary>
    private static List<object?> Split(string s, string? separator, long maxSplit)
    {
        if (separator is not null)
        {
            return separator.Length == 0
                ? throw new JinjaException("split() separator is empty")
                : [.. maxSplit < 0 ? s.Split(separator) : s.Split(separator, (int)Math.Min(maxSplit + 1, int.MaxValue))];
        }

        var parts = new List<object?>();
        int i = 0;
        while (true)
        {
            while (i < s.Length && PythonText.IsWhitespace(s[i]))
            {
                i++;
            }

            if (i >= s.Length)
            {
                return parts;
            }

            if (maxSplit >= 0 && parts.Count == maxSplit)
            {
                parts.Add(PythonText.StripEnd(s[i..]));
                return parts;
            }

            int start = i;
            while (i < s.Length && !PythonText.IsWhitespace(s[i]))
            {
                i++;
            }

            parts.Add(s[start..i]);
        }
    }

    private static List<object?> RightSplit(string s, string? separator, long maxSplit)
    {
        if (maxSplit < 0 || separator is null)
        {
            return Split(s, separator, maxSplit < 0 ? -1 : maxSplit);
        }

        var parts = new List<object?>();
        string rest = s;
        for (long done = 0; done < maxSplit; done++)
        {
            int at = rest.LastIndexOf(separator, StringComparison.Ordinal);
            if (at < 0)
            {
                break;
            }

            parts.Insert(0, rest[(at + separator.Length)..]);
            rest = rest[..at];
        }

        parts.Insert(0, rest);
        return parts;
    }

    private static string Replace(string s, string old, string replacement, long? count)
    {
        if (count is not { } limit || limit < 0)
        {
            return old.Length == 0 ? s : s.Replace(old, replacement, StringComparison.Ordinal);
        }

        var text = new StringBuilder();
        int position = 0;
        for (long done = 0; done < limit; done++)
        {
            int found = s.IndexOf(old, position, StringComparison.Ordinal);
            if (found < 0 || old.Length == 0)
            {
                break;
            }

            text.Append(s, position, found - position).Append(replacement);
            position = found + old.Length;
        }

        return text.Append(s, position, s.Length - position).ToString();
    }

    /// <summary>Jinja's <c>title</c> filter: a word starts after whitespace, a dash or an opening bracket.</summary>
    private static string Title(string s) =>
        string.Concat(WordBeginnings().Split(s).Where(part => part.Length > 0).Select(part => char.ToUpperInvariant(part[0]) + part[1..].ToLowerInvariant()));

    /// <summary>Python's <c>str.title()</c>: a word starts after any character that is not a letter.</summary>
    private static string PythonTitle(string s)
    {
        var text = new StringBuilder(s.Length);
        bool startOfWord = true;
        foreach (char c in s)
        {
            text.Append(startOfWord ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c));
            startOfWord = !char.IsLetter(c);
        }

        return text.ToString();
    }

    /// <summary>Jinja's <c>indent</c>: every line after the first (and the first with <paramref name="first"/>), empty lines only with <paramref name="blank"/>.</summary>
    private static string Indent(string s, object? width, bool first, bool blank)
    {
        string pad = width is long n ? new string(' ', (int)Math.Clamp(n, 0, 1000)) : JinjaValues.Text(width);
        List<string> lines = SplitLines(s + "\n");
        string text = blank
            ? string.Join("\n" + pad, lines)
            : lines[0] + string.Concat(lines.Skip(1).Select(line => "\n" + (line.Length > 0 ? pad + line : line)));
        return first ? pad + text : text;
    }

    /// <summary>Python's <c>str.splitlines()</c>: no empty last line for a text that ends with a line break.</summary>
    private static List<string> SplitLines(string s)
    {
        List<string> lines = [.. LineBreaks().Split(s)];
        if (lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }

    private static object? ToInteger(object? value, object? fallback) => value switch
    {
        long l => l,
        bool b => b ? 1L : 0L,
        double d when double.IsFinite(d) && Math.Abs(d) < 9.2e18 => (long)Math.Truncate(d),
        string s when long.TryParse(PythonText.Strip(s), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long parsed) => parsed,
        string s when double.TryParse(PythonText.Strip(s), NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) && double.IsFinite(parsed) && Math.Abs(parsed) < 9.2e18 => (long)Math.Truncate(parsed),
        _ => fallback,
    };

    private static object? ToFloat(object? value, object? fallback) => value switch
    {
        long or double or bool => JinjaValues.ToDouble(value),
        string s when double.TryParse(PythonText.Strip(s), NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) => parsed,
        _ => fallback,
    };

    private static string Text(object? value, int line) => value switch
    {
        string s => s,
        Undefined => string.Empty,
        null => "None",
        _ => JinjaValues.Text(value),
    };

    [GeneratedRegex(@"([-\s({\[<]+)", RegexOptions.CultureInvariant)]
    private static partial Regex WordBeginnings();

    [GeneratedRegex(@"\w+", RegexOptions.CultureInvariant)]
    private static partial Regex Words();

    [GeneratedRegex(@"(<!--.*?-->|<[^>]*>)", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex Tags();

    /// <summary>The line boundaries Python's <c>str.splitlines()</c> splits at.</summary>
    [GeneratedRegex("\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]", RegexOptions.CultureInvariant)]
    private static partial Regex LineBreaks();
}
