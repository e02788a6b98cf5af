using System.Globalization;

namespace Quicksilver.Engine.Tokenization.Jinja;

/// <summary>
/// A Jinja template as Hugging Face renders chat templates (<c>trim_blocks</c>, <c>lstrip_blocks</c>, loop controls,
/// the <c>generation</c> block, <c>raise_exception</c> and <c>strftime_now</c>): the part of Jinja chat templates use.
/// <see cref="Parse"/> reads the whole template, so that a construct it does not implement (a statement, filter or test
/// it lacks) fails when the model loads, not at a user's request. Immutable and thread-safe once parsed.
/// </summary>
public sealed class JinjaTemplate
{
    /// <summary>The global functions of Hugging Face's chat template environment but <c>strftime_now</c>, which reads the template's clock.</summary>
    private static readonly Dictionary<string, object?> Functions = new(StringComparer.Ordinal)
    {
        ["range"] = new JinjaCallable("range", (arguments, _) => Range(arguments)),
        ["namespace"] = new JinjaCallable("namespace", (_, keywords) => new JinjaNamespace(new Dictionary<string, object?>(keywords, StringComparer.Ordinal))),
        ["dict"] = new JinjaCallable("dict", (_, keywords) => new OrderedDictionary<string, object?>(keywords)),
        ["raise_exception"] = new JinjaCallable("raise_exception", (arguments, _) =>
            throw new JinjaException(arguments.Count > 0 ? JinjaValues.Text(arguments[0]) : "The chat template raised an error.") { RaisedByTemplate = true }),
    };

    private readonly IReadOnlyList<Node> _body;
    private readonly JinjaCallable _strftimeNow;

    private JinjaTemplate(IReadOnlyList<Node> body, TimeProvider time)
    {
        _body = body;
        _strftimeNow = new JinjaCallable("strftime_now", (arguments, _) => Strftime(time.GetLocalNow(), arguments.Count > 0 ? JinjaValues.Text(arguments[0]) : string.Empty));
    }

    /// <summary>Reads <paramref name="source"/>; throws <see cref="JinjaException"/> naming the line and construct it cannot read.</summary>
    public static JinjaTemplate Parse(string source, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        IReadOnlyList<Node> body;
        try
        {
            body = JinjaParser.Parse(source);
        }
        catch (Exception exception) when (exception is FormatException or OverflowException or ArgumentException)
        {
            throw new JinjaException(exception.Message, exception);
        }

        JinjaCheck.Names(body);
        return new JinjaTemplate(body, time ?? TimeProvider.System);
    }

    /// <summary>
    /// Renders the template over <paramref name="variables"/>: strings, booleans, integers, floats, null, lists
    /// (<see cref="IEnumerable{T}"/>) and string-keyed dictionaries of those. Throws <see cref="JinjaException"/> when the
    /// template raises an error or applies an operation to a value it does not fit.
    /// </summary>
    public string Render(IReadOnlyDictionary<string, object?> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var globals = new Dictionary<string, object?>(Functions, StringComparer.Ordinal) { ["strftime_now"] = _strftimeNow };
        foreach ((string name, object? value) in variables)
        {
            globals[name] = FromDotNet(value);
        }

        try
        {
            return JinjaRenderer.Render(_body, globals);
        }
        catch (Exception exception) when (exception is InvalidCastException or InvalidOperationException or OverflowException or FormatException or ArgumentException or IndexOutOfRangeException)
        {
            // An operation on values it does not fit, which Jinja2 reports as a TypeError or ValueError.
            throw new JinjaException(exception.Message, exception);
        }
    }

    private static List<object?> Range(List<object?> arguments)
    {
        long[] bounds = [.. arguments.Select(a => a is long l ? l : throw new JinjaException("range() takes integers"))];
        (long start, long stop, long step) = bounds switch
        {
            [var end] => (0L, end, 1L),
            [var from, var end] => (from, end, 1L),
            [var from, var end, var by] when by != 0 => (from, end, by),
            _ => throw new JinjaException("range() takes one to three integers, the step not zero"),
        };
        var items = new List<object?>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step)
        {
            items.Add(i);
            if (items.Count > 1_000_000)
            {
                throw new JinjaException("range() of more than a million items");
            }
        }

        return items;
    }

    private static object? FromDotNet(object? value) => value switch
    {
        null or string or bool or long or double => value,
        int i => (long)i,
        float f => (double)f,
        IReadOnlyDictionary<string, object?> dict => new OrderedDictionary<string, object?>(dict.Select(entry => KeyValuePair.Create(entry.Key, FromDotNet(entry.Value)))),
        System.Collections.IEnumerable items => items.Cast<object?>().Select(FromDotNet).ToList(),
        _ => throw new ArgumentException($"A template variable cannot be a {value.GetType().Name}.", nameof(value)),
    };

    /// <summary>Python's <c>strftime</c> for the directives chat templates use (<c>%d %b %Y</c> and the like).</summary>
    private static string Strftime(DateTimeOffset now, string format)
    {
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                text.Append(format[i]);
                continue;
            }

            char directive = format[++i];
            text.Append(directive switch
            {
                'd' => now.ToString("dd", CultureInfo.InvariantCulture),
                'm' => now.ToString("MM", CultureInfo.InvariantCulture),
                'Y' => now.ToString("yyyy", CultureInfo.InvariantCulture),
                'y' => now.ToString("yy", CultureInfo.InvariantCulture),
                'b' => now.ToString("MMM", CultureInfo.InvariantCulture),
                'B' => now.ToString("MMMM", CultureInfo.InvariantCulture),
                'a' => now.ToString("ddd", CultureInfo.InvariantCulture),
                'A' => now.ToString("dddd", CultureInfo.InvariantCulture),
                'H' => now.ToString("HH", CultureInfo.InvariantCulture),
                'I' => now.ToString("hh", CultureInfo.InvariantCulture),
                'M' => now.ToString("mm", CultureInfo.InvariantCulture),
                'S' => now.ToString("ss", CultureInfo.InvariantCulture),
                'p' => now.Hour < 12 ? "AM" : "PM",
                'j' => now.DayOfYear.ToString("000", CultureInfo.InvariantCulture),
                '%' => "%",
                _ => "%" + directive,
            });
        }

        return text.ToString();
    }
}
