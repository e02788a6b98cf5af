using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Quicksilver.Engine.Tokenization.Jinja;

/// <summary>
/// The filters, tests and methods chat templates use, with Jinja's and Python's behaviour, and Hugging Face's
/// <c>tojson</c> (no ASCII escaping, no key sorting). A template naming a filter or test not here fails when it loads.
/// </summary>
internal static class JinjaBuiltins
{
    public static readonly HashSet<string> Filters = new(StringComparer.Ordinal)
    {
        "trim", "length", "count", "tojson", "string", "int", "float", "lower", "upper", "title", "capitalize", "default", "d",
        "first", "last", "join", "list", "items", "reverse", "replace", "safe", "abs", "selectattr", "rejectattr", "map", "sort",
        "unique", "indent", "min", "max", "sum", "dictsort", "wordcount", "striptags", "e", "escape",
    };

    public static readonly HashSet<string> Tests = new(StringComparer.Ordinal)
    {
        "defined", "undefined", "none", "string", "number", "integer", "float", "boolean", "true", "false", "mapping", "iterable",
        "sequence", "callable", "equalto", "eq", "==", "ne", "!=", "lt", "<", "le", "<=", "gt", ">", "ge", ">=", "in", "odd", "even",
        "divisibleby", "lower", "upper", "sameas",
    };

    private static readonly JsonSerializerOptions ToJsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static object? Filter(string name, object? value, List<object?> arguments, Dictionary<string, object?> keywords, Func<string, object?, List<object?>, bool> test, int line)
    {
        object? Argument(int index, string keyword, object? fallback) =>
            index < arguments.Count ? arguments[index] : keywords.TryGetValue(keyword, out object? named) ? named : fallback;

        switch (name)
        {
            case "trim":
                return Argument(0, "chars", null) is string chars ? Text(value, line).Trim(chars.ToCharArray()) : PythonText.Strip(Text(value, line));
            case "length" or "count":
                return (long)(value switch
                {
                    string s => s.Length,
                    OrderedDictionary<string, object?> dict => dict.Count,
                    _ => JinjaValues.Items(value, line).Count,
                });
            case "tojson":
                return ToJson(value, Argument(0, "indent", null) is long indent ? (int)indent : null);
            case "string" or "e" or "escape" or "safe" or "striptags":
                return name == "safe" ? value : JinjaValues.Text(value);
            case "int":
                return ToInteger(value, Argument(0, "default", 0L));
            case "float":
                return ToFloat(value, Argument(0, "default", 0.0));
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
                return JinjaValues.Items(value, line) is [.., var tail] ? tail : Undefined.Instance;
            case "join":
                string separator = Argument(0, "d", string.Empty) as string ?? string.Empty;
                IEnumerable<object?> joined = JinjaValues.Items(value, line);
                if (Argument(1, "attribute", null) is string joinAttribute)
                {
                    joined = joined.Select(item => Member(item, joinAttribute, line));
                }

                return string.Join(separator, joined.Select(JinjaValues.Text));
            case "list":
                return new List<object?>(JinjaValues.Items(value, line));
            case "items":
                return value is OrderedDictionary<string, object?> pairs
                    ? pairs.Select(entry => (object?)new JinjaTuple([entry.Key, entry.Value])).ToList()
                    : value is Undefined ? [] : throw new JinjaException($"line {line}: items of {JinjaValues.TypeName(value)}");
            case "dictsort":
                return value is OrderedDictionary<string, object?> sorted
                    ? sorted.OrderBy(entry => entry.Key, StringComparer.OrdinalIgnoreCase).Select(entry => (object?)new JinjaTuple([entry.Key, entry.Value])).ToList()
                    : throw new JinjaException($"line {line}: dictsort of {JinjaValues.TypeName(value)}");
            case "reverse":
                return value is string reversed ? new string([.. reversed.Reverse()]) : Enumerable.Reverse(JinjaValues.Items(value, line)).ToList();
            case "replace":
                return Replace(Text(value, line), Text(Argument(0, "old", string.Empty), line), Text(Argument(1, "new", string.Empty), line), Argument(2, "count", null) as long?);
            case "abs":
                return value is long l ? (object)Math.Abs(l) : Math.Abs(JinjaValues.ToDouble(value));
            case "selectattr" or "rejectattr":
                return JinjaValues.Items(value, line).Where(item =>
                {
                    object? member = Member(item, Text(arguments[0], line), line);
                    bool holds = arguments.Count > 1 ? test(Text(arguments[1], line), member, arguments.Skip(2).ToList()) : JinjaValues.IsTrue(member);
                    return holds == (name == "selectattr");
                }).ToList();
            case "map":
                if (keywords.TryGetValue("attribute", out object? attribute))
                {
                    return JinjaValues.Items(value, line).Select(item => Member(item, Text(attribute, line), line) is Undefined && keywords.TryGetValue("default", out object? fallback) ? fallback : Member(item, Text(attribute, line), line)).ToList();
                }

                string mapped = Text(Argument(0, "filter", null), line);
                return JinjaValues.Items(value, line).Select(item => Filter(mapped, item, [.. arguments.Skip(1)], [], test, line)).ToList();
            case "sort":
                bool descending = JinjaValues.IsTrue(Argument(0, "reverse", false));
                string? sortAttribute = Argument(2, "attribute", null) as string;
                List<object?> items = [.. JinjaValues.Items(value, line)];
                items.Sort((x, y) => JinjaValues.Compare(sortAttribute is null ? x : Member(x, sortAttribute, line), sortAttribute is null ? y : Member(y, sortAttribute, line), line) * (descending ? -1 : 1));
                return items;
            case "unique":
                var unique = new List<object?>();
                foreach (object? item in JinjaValues.Items(value, line).Where(item => !unique.Any(seen => JinjaValues.Equals(seen, item))))
                {
                    unique.Add(item);
                }

                return unique;
            case "min" or "max":
                List<object?> ordered = [.. JinjaValues.Items(value, line)];
                ordered.Sort((x, y) => JinjaValues.Compare(x, y, line));
                return ordered.Count == 0 ? Undefined.Instance : name == "min" ? ordered[0] : ordered[^1];
            case "sum":
                return JinjaValues.Items(value, line).Aggregate(Argument(1, "start", 0L), (total, item) => JinjaValues.Arithmetic("+", total, item, line));
            case "indent":
                return Indent(Text(value, line), Argument(0, "width", 4L), JinjaValues.IsTrue(Argument(1, "first", false)), JinjaValues.IsTrue(Argument(2, "blank", false)));
            case "wordcount":
                return (long)Text(value, line).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
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
            "number" => value is long or double,
            "integer" => value is long,
            "float" => value is double,
            "boolean" => value is bool,
            "true" => value is true,
            "false" => value is false,
            "mapping" => value is OrderedDictionary<string, object?>,
            "iterable" => value is string or List<object?> or OrderedDictionary<string, object?> or Undefined,
            "sequence" => value is string or List<object?> or OrderedDictionary<string, object?>,
            "callable" => value is JinjaCallable,
            "equalto" or "eq" or "==" or "sameas" => JinjaValues.Equals(value, other),
            "ne" or "!=" => !JinjaValues.Equals(value, other),
            "lt" or "<" => JinjaValues.Compare(value, other, line) < 0,
            "le" or "<=" => JinjaValues.Compare(value, other, line) <= 0,
            "gt" or ">" => JinjaValues.Compare(value, other, line) > 0,
            "ge" or ">=" => JinjaValues.Compare(value, other, line) >= 0,
            "in" => JinjaValues.Contains(other, value, line),
            "odd" => value is long odd && odd % 2 != 0,
            "even" => value is long even && even % 2 == 0,
            "divisibleby" => value is long dividend && other is long divisor && divisor != 0 && dividend % divisor == 0,
            "lower" => value is string lower && string.Equals(lower, lower.ToLowerInvariant(), StringComparison.Ordinal),
            "upper" => value is string upper && string.Equals(upper, upper.ToUpperInvariant(), StringComparison.Ordinal),
            _ => throw new JinjaException($"line {line}: unknown test '{name}'"),
        };
    }

    /// <summary>
    /// <c>target.name</c> as Jinja reads it: a method of a string, list or dict; else a dict's item, a namespace's or
    /// loop's attribute; undefined when there is none. An attribute of an undefined value is an error, as in Jinja.
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

    /// <summary>Python's <c>json.dumps(value, ensure_ascii=False, indent=indent)</c>, as Hugging Face's <c>tojson</c> writes it.</summary>
    public static string ToJson(object? value, int? indent)
    {
        var text = new StringBuilder();
        WriteJson(text, value, indent, 0);
        return text.ToString();
    }

    private static void WriteJson(StringBuilder text, object? value, int? indent, int depth)
    {
        string newline = indent is { } width ? "\n" + new string(' ', width * (depth + 1)) : string.Empty;
        string closing = indent is { } w ? "\n" + new string(' ', w * depth) : string.Empty;
        string itemSeparator = indent is null ? ", " : ",";
        switch (value)
        {
            case null or Undefined:
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
                text.Append(JsonSerializer.Serialize(s, ToJsonOptions));
                break;
            case List<object?> list:
                text.Append('[');
                for (int i = 0; i < list.Count; i++)
                {
                    text.Append(i == 0 ? string.Empty : itemSeparator).Append(newline);
                    WriteJson(text, list[i], indent, depth + 1);
                }

                text.Append(list.Count > 0 ? closing : string.Empty).Append(']');
                break;
            case OrderedDictionary<string, object?> dict:
                text.Append('{');
                int index = 0;
                foreach ((string key, object? item) in dict)
                {
                    text.Append(index++ == 0 ? string.Empty : itemSeparator).Append(newline).Append(JsonSerializer.Serialize(key, ToJsonOptions)).Append(": ");
                    WriteJson(text, item, indent, depth + 1);
                }

                text.Append(dict.Count > 0 ? closing : string.Empty).Append('}');
                break;
            default:
                throw new JinjaException($"{JinjaValues.TypeName(value)} cannot be written as JSON");
        }
    }

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
        return name switch
        {
            "startswith" => new JinjaCallable(name, (a, _) => Prefixes(a[0], line).Any(p => s.StartsWith(p, StringComparison.Ordinal))),
            "endswith" => new JinjaCallable(name, (a, _) => Prefixes(a[0], line).Any(p => s.EndsWith(p, StringComparison.Ordinal))),
            "strip" => new JinjaCallable(name, (a, _) => a is [string chars, ..] ? s.Trim(chars.ToCharArray()) : PythonText.Strip(s)),
            "lstrip" => new JinjaCallable(name, (a, _) => a is [string chars, ..] ? s.TrimStart(chars.ToCharArray()) : PythonText.StripStart(s)),
            "rstrip" => new JinjaCallable(name, (a, _) => a is [string chars, ..] ? s.TrimEnd(chars.ToCharArray()) : PythonText.StripEnd(s)),
            "split" => new JinjaCallable(name, (a, k) => Split(s, a.Count > 0 ? a[0] as string : null, a.Count > 1 && a[1] is long max ? max : k.TryGetValue("maxsplit", out object? m) && m is long km ? km : -1)),
            "replace" => new JinjaCallable(name, (a, _) => Replace(s, Arg(a, 0), Arg(a, 1), a.Count > 2 ? a[2] as long? : null)),
            "upper" => new JinjaCallable(name, (_, _) => s.ToUpperInvariant()),
            "lower" => new JinjaCallable(name, (_, _) => s.ToLowerInvariant()),
            "title" => new JinjaCallable(name, (_, _) => Title(s)),
            "capitalize" => new JinjaCallable(name, (_, _) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant()),
            "find" => new JinjaCallable(name, (a, _) => (long)s.IndexOf(Arg(a, 0), StringComparison.Ordinal)),
            "count" => new JinjaCallable(name, (a, _) => (long)(Arg(a, 0).Length == 0 ? s.Length + 1 : (s.Length - s.Replace(Arg(a, 0), string.Empty, StringComparison.Ordinal).Length) / Arg(a, 0).Length)),
            "join" => new JinjaCallable(name, (a, _) => string.Join(s, JinjaValues.Items(a[0], line).Select(JinjaValues.Text))),
            "splitlines" => new JinjaCallable(name, (_, _) => s.Split('\n').Select(part => (object?)part.TrimEnd('\r')).ToList()),
            "isspace" => new JinjaCallable(name, (_, _) => s.Length > 0 && s.All(PythonText.IsWhitespace)),
            "isdigit" => new JinjaCallable(name, (_, _) => s.Length > 0 && s.All(char.IsDigit)),
            _ => Undefined.Instance,
        };
    }

    private static IEnumerable<string> Prefixes(object? prefix, int line) => prefix is List<object?> list ? list.Select(p => Text(p, line)) : [Text(prefix, line)];

    private static List<object?> Split(string s, string? separator, long maxSplit)
    {
        if (separator is null)
        {
            string[] words = s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return maxSplit < 0 || words.Length <= maxSplit + 1
                ? [.. words]
                : [.. words.Take((int)maxSplit), string.Join(' ', words.Skip((int)maxSplit))];
        }

        string[] parts = maxSplit < 0 ? s.Split(separator) : s.Split(separator, (int)maxSplit + 1);
        return [.. parts];
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

    private static string Title(string s)
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

    private static string Indent(string s, object? width, bool first, bool blank)
    {
        string pad = width is long n ? new string(' ', (int)n) : JinjaValues.Text(width);
        string[] lines = s.Split('\n');
        for (int i = first ? 0 : 1; i < lines.Length; i++)
        {
            if (blank || lines[i].Trim().Length > 0)
            {
                lines[i] = pad + lines[i];
            }
        }

        return string.Join('\n', lines);
    }

    private static object? ToInteger(object? value, object? fallback) => value switch
    {
        long l => l,
        bool b => b ? 1L : 0L,
        double d => (long)Math.Truncate(d),
        string s when long.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long parsed) => parsed,
        string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) => (long)Math.Truncate(parsed),
        _ => fallback,
    };

    private static object? ToFloat(object? value, object? fallback) => value switch
    {
        long or double or bool => JinjaValues.ToDouble(value),
        string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) => parsed,
        _ => fallback,
    };

    private static string Text(object? value, int line) => value switch
    {
        string s => s,
        Undefined => string.Empty,
        null => "None",
        _ => JinjaValues.Text(value),
    };
}
