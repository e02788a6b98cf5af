using System.Globalization;
using System.Text;

namespace Quicksilver.Engine.Tokenization.Jinja;

/// <summary>Jinja's undefined value: what a missing variable, key or attribute reads as. It prints as nothing and iterates as empty.</summary>
internal sealed class Undefined
{
    public static readonly Undefined Instance = new();

    private Undefined()
    {
    }
}

/// <summary>A Python tuple: a list that prints in parentheses and never equals a list.</summary>
internal sealed class JinjaTuple(IEnumerable<object?> items) : List<object?>(items);

/// <summary>
/// What Jinja's <c>select</c>, <c>map</c>, <c>reverse</c> and similar filters return, a Python generator: always true,
/// with no length, and not reversible until <c>|list</c> makes it a list.
/// </summary>
internal sealed class JinjaGenerator(IEnumerable<object?> items) : List<object?>(items);

/// <summary>The object <c>namespace(…)</c> makes: attributes a loop body can set and the code after the loop read.</summary>
internal sealed class JinjaNamespace(Dictionary<string, object?> attributes)
{
    public Dictionary<string, object?> Attributes { get; } = attributes;
}

/// <summary>A function the template calls: a global, a bound method, or a macro.</summary>
internal sealed class JinjaCallable(string name, Func<List<object?>, Dictionary<string, object?>, object?> invoke)
{
    public string Name { get; } = name;

    public object? Invoke(List<object?> arguments, Dictionary<string, object?> keywords) => invoke(arguments, keywords);
}

/// <summary>A <c>for</c> loop's <c>loop</c> variable.</summary>
internal sealed class LoopInfo(IReadOnlyList<object?> items)
{
    public int Index0 { get; set; }

    public object? Attribute(string name) => name switch
    {
        "index0" => (long)Index0,
        "index" => (long)Index0 + 1,
        "revindex" => (long)(items.Count - Index0),
        "revindex0" => (long)(items.Count - Index0 - 1),
        "first" => Index0 == 0,
        "last" => Index0 == items.Count - 1,
        "length" => (long)items.Count,
        "previtem" => Index0 > 0 ? items[Index0 - 1] : Undefined.Instance,
        "nextitem" => Index0 < items.Count - 1 ? items[Index0 + 1] : Undefined.Instance,
        "cycle" => new JinjaCallable("loop.cycle", (arguments, _) => arguments.Count == 0 ? Undefined.Instance : arguments[Index0 % arguments.Count]),
        _ => Undefined.Instance,
    };
}

/// <summary>Python's semantics for the values a template handles: truth, text, equality, order and arithmetic.</summary>
internal static class JinjaValues
{
    public static bool IsTrue(object? value) => value switch
    {
        null or Undefined => false,
        bool b => b,
        JinjaGenerator => true,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        List<object?> list => list.Count > 0,
        OrderedDictionary<string, object?> dict => dict.Count > 0,
        _ => true,
    };

    /// <summary>Python's <c>str()</c>, as <c>{{ }}</c> writes a value; undefined writes nothing.</summary>
    public static string Text(object? value) => value switch
    {
        string s => s,
        Undefined => string.Empty,
        _ => Repr(value, quoteStrings: false),
    };

    /// <summary>Python's <c>repr()</c> (strings quoted), as a list or dict prints its items.</summary>
    public static string Repr(object? value, bool quoteStrings = true) => value switch
    {
        null => "None",
        Undefined => quoteStrings ? "Undefined" : string.Empty,
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => FloatText(d),
        string s => quoteStrings ? QuoteString(s) : s,
        JinjaGenerator => "<generator object>",
        JinjaTuple tuple => "(" + string.Join(", ", tuple.Select(item => Repr(item))) + (tuple.Count == 1 ? ",)" : ")"),
        List<object?> list => "[" + string.Join(", ", list.Select(item => Repr(item))) + "]",
        OrderedDictionary<string, object?> dict => "{" + string.Join(", ", dict.Select(entry => $"{QuoteString(entry.Key)}: {Repr(entry.Value)}")) + "}",
        JinjaNamespace => "<Namespace>",
        _ => value.ToString() ?? string.Empty,
    };

    public static string FloatText(double d)
    {
        if (double.IsNaN(d))
        {
            return "nan";
        }

        if (double.IsInfinity(d))
        {
            return d > 0 ? "inf" : "-inf";
        }

        if (d == Math.Floor(d) && Math.Abs(d) < 1e16)
        {
            return d.ToString("0.0", CultureInfo.InvariantCulture);
        }

        string text = d.ToString("R", CultureInfo.InvariantCulture);
        int exponent = text.IndexOf('E', StringComparison.Ordinal);
        if (exponent < 0)
        {
            return text;
        }

        string mantissa = text[..exponent];
        int power = int.Parse(text.AsSpan(exponent + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return $"{mantissa}e{(power < 0 ? "-" : "+")}{Math.Abs(power):00}";
    }

    private static string QuoteString(string s)
    {
        char quote = s.Contains('\'', StringComparison.Ordinal) && !s.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        var text = new StringBuilder().Append(quote);
        foreach (char c in s)
        {
            text.Append(c switch
            {
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when c == quote => "\\" + c,
                _ => c.ToString(),
            });
        }

        return text.Append(quote).ToString();
    }

    public static new bool Equals(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (Undefined, Undefined) => true,
        (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
        (List<object?> x, List<object?> y) => x is JinjaTuple == y is JinjaTuple && x.Count == y.Count && x.Zip(y).All(pair => Equals(pair.First, pair.Second)),
        (OrderedDictionary<string, object?> x, OrderedDictionary<string, object?> y) =>
            x.Count == y.Count && x.All(entry => y.TryGetValue(entry.Key, out object? other) && Equals(entry.Value, other)),
        _ when IsNumber(a) && IsNumber(b) => ToDouble(a) == ToDouble(b),
        _ => ReferenceEquals(a, b),
    };

    public static int Compare(object? a, object? b, int line) => (a, b) switch
    {
        (string x, string y) => string.CompareOrdinal(x, y),
        (List<object?> x, List<object?> y) => CompareLists(x, y, line),
        _ when IsNumber(a) && IsNumber(b) => ToDouble(a).CompareTo(ToDouble(b)),
        _ => throw new JinjaException($"line {line}: {TypeName(a)} and {TypeName(b)} cannot be ordered"),
    };

    private static int CompareLists(List<object?> x, List<object?> y, int line)
    {
        for (int i = 0; i < Math.Min(x.Count, y.Count); i++)
        {
            if (!Equals(x[i], y[i]))
            {
                return Compare(x[i], y[i], line);
            }
        }

        return x.Count.CompareTo(y.Count);
    }

    /// <summary>Python's numbers: integers, floats and booleans (which count as 1 and 0).</summary>
    public static bool IsNumber(object? value) => value is long or double or bool;

    public static double ToDouble(object? value) => value switch
    {
        long l => l,
        double d => d,
        bool b => b ? 1 : 0,
        _ => throw new InvalidCastException(),
    };

    private static long ToLong(object? value) => value switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        _ => throw new InvalidCastException(),
    };

    public static object? Arithmetic(string op, object? a, object? b, int line)
    {
        switch (op, a, b)
        {
            case ("+", string x, string y):
                return x + y;
            case ("+", List<object?> x, List<object?> y):
                return new List<object?>([.. x, .. y]);
            case ("*", string x, long n):
                return string.Concat(Enumerable.Repeat(x, (int)Math.Clamp(n, 0, 1_000_000)));
            case ("*", long n, string x):
                return string.Concat(Enumerable.Repeat(x, (int)Math.Clamp(n, 0, 1_000_000)));
            case ("*", List<object?> x, long n):
                return Enumerable.Repeat(x, (int)Math.Clamp(n, 0, 1_000_000)).SelectMany(items => items).ToList();
        }

        if (!IsNumber(a) || !IsNumber(b))
        {
            throw new JinjaException($"line {line}: '{op}' does not apply to {TypeName(a)} and {TypeName(b)}");
        }

        bool integers = a is not double && b is not double;
        switch (op)
        {
            case "/":
                return ToDouble(a) / NonZero(ToDouble(b), line);
            case "**":
                return integers && ToLong(b) >= 0 ? (object)(long)Math.Pow(ToLong(a), ToLong(b)) : Math.Pow(ToDouble(a), ToDouble(b));
        }

        if (integers)
        {
            long x = ToLong(a);
            long y = ToLong(b);
            return op switch
            {
                "+" => x + y,
                "-" => x - y,
                "*" => x * y,
                "//" => (long)Math.Floor(x / (double)NonZero(y, line)),
                "%" => ((x % NonZero(y, line)) + y) % y,
                _ => throw new JinjaException($"line {line}: unknown operator '{op}'"),
            };
        }

        double p = ToDouble(a);
        double q = ToDouble(b);
        return op switch
        {
            "+" => p + q,
            "-" => p - q,
            "*" => p * q,
            "//" => Math.Floor(p / NonZero(q, line)),
            "%" => p - (q * Math.Floor(p / NonZero(q, line))),
            _ => throw new JinjaException($"line {line}: unknown operator '{op}'"),
        };
    }

    private static T NonZero<T>(T value, int line)
        where T : System.Numerics.INumber<T> =>
        T.IsZero(value) ? throw new JinjaException($"line {line}: division by zero") : value;

    /// <summary>Python's <c>format % arguments</c> for <c>%s %r %d %i %f %%</c>.</summary>
    public static string Format(string format, object? arguments, int line)
    {
        List<object?> values = arguments is JinjaTuple tuple ? tuple : [arguments];
        var text = new StringBuilder();
        int next = 0;
        for (int i = 0; i < format.Length; i++)
        {
            if (format[i] != '%')
            {
                text.Append(format[i]);
                continue;
            }

            char conversion = i + 1 < format.Length ? format[++i] : throw new JinjaException($"line {line}: '%' at the end of a format string");
            if (conversion == '%')
            {
                text.Append('%');
                continue;
            }

            object? value = next < values.Count ? values[next++] : throw new JinjaException($"line {line}: not enough arguments for the format string");
            text.Append(conversion switch
            {
                's' => Text(value),
                'r' => Repr(value),
                'd' or 'i' when IsNumber(value) => ((long)Math.Truncate(ToDouble(value))).ToString(CultureInfo.InvariantCulture),
                'f' when IsNumber(value) => ToDouble(value).ToString("F6", CultureInfo.InvariantCulture),
                _ => throw new JinjaException($"line {line}: the format '%{conversion}' is not supported for {TypeName(value)}"),
            });
        }

        return next == values.Count ? text.ToString() : throw new JinjaException($"line {line}: not all arguments converted during string formatting");
    }

    public static bool Contains(object? container, object? item, int line) => container switch
    {
        string s when item is string sub => s.Contains(sub, StringComparison.Ordinal),
        List<object?> list => list.Any(element => Equals(element, item)),
        OrderedDictionary<string, object?> dict => item is string key && dict.ContainsKey(key),
        Undefined => false,
        _ => throw new JinjaException($"line {line}: 'in' does not apply to {TypeName(container)}"),
    };

    /// <summary>The items a <c>for</c> loop or a filter walks: a list's, a dict's keys, a string's characters; none for undefined.</summary>
    public static List<object?> Items(object? value, int line) => value switch
    {
        List<object?> list => list,
        OrderedDictionary<string, object?> dict => [.. dict.Keys],
        string s => [.. s.EnumerateRunes().Select(rune => (object?)rune.ToString())],
        Undefined => [],
        _ => throw new JinjaException($"line {line}: {TypeName(value)} is not iterable"),
    };

    public static string TypeName(object? value) => value switch
    {
        null => "None",
        Undefined => "an undefined value",
        bool => "a boolean",
        long => "an integer",
        double => "a float",
        string => "a string",
        List<object?> => "a list",
        OrderedDictionary<string, object?> => "a dict",
        JinjaNamespace => "a namespace",
        JinjaCallable => "a function",
        _ => value.GetType().Name,
    };
}
