using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Quicksilver.Engine.Constraints.Json;

/// <summary>
/// Compiles a JSON Schema into a <see cref="JsonGrammar"/>, enforcing what OpenAI's structured outputs enforce and
/// refusing, by name and place, every assertion it would not enforce (an answer that only looks compliant is worse
/// than a refusal). Enforced:
/// <list type="bullet">
/// <item><c>type</c> (one or a list: object, array, string, number, integer, boolean, null; inferred from the other
/// keywords when absent; absent with none of them, any value), <c>nullable</c>, <c>enum</c>, <c>const</c>.</item>
/// <item>Objects: <c>properties</c>, written in their order (as OpenAI's answers do), each at most once, every
/// <c>required</c> one; no other keys unless the object declares no <c>properties</c>, when
/// <c>additionalProperties</c> (a schema, or any value when absent or true) types any keys' values.</item>
/// <item>Arrays: <c>items</c>, <c>minItems</c>, <c>maxItems</c>. Strings: <c>minLength</c>, <c>maxLength</c>.</item>
/// <item><c>anyOf</c> and <c>oneOf</c> whose alternatives start differently (an object, an array, a string, a number,
/// or different literals: <c>Optional[X]</c>, unions of types), which makes the two the same; <c>allOf</c> of one
/// schema; <c>$ref</c> to a JSON pointer inside the schema (<c>#/$defs/X</c>, <c>#</c>), recursion included.</item>
/// </list>
/// Annotations are read past (<c>title</c>, <c>description</c>, <c>default</c>, <c>examples</c>, <c>format</c> — an
/// annotation unless a validator opts in, per JSON Schema 2020-12 —, <c>$schema</c>, <c>$id</c>, <c>$comment</c>...).
/// The answer's root must be an object. Enum and const values are written compactly (no whitespace).
/// </summary>
internal sealed class JsonSchemaCompiler
{
    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly HashSet<string> Annotations =
    [
        "$schema", "$id", "$comment", "$defs", "definitions", "title", "description", "default", "examples", "format",
        "deprecated", "readOnly", "writeOnly", "contentEncoding", "contentMediaType", "discriminator",
    ];

    private static readonly HashSet<string> Assertions =
    [
        "type", "nullable", "enum", "const", "properties", "required", "additionalProperties", "items", "minItems",
        "maxItems", "minLength", "maxLength", "anyOf", "oneOf", "allOf", "$ref",
    ];

    private static readonly string[] ObjectKeywords = ["properties", "required", "additionalProperties"];
    private static readonly string[] ArrayKeywords = ["items", "minItems", "maxItems"];
    private static readonly string[] StringKeywords = ["minLength", "maxLength"];

    private readonly JsonElement _root;
    private readonly List<JsonGrammarNode> _nodes = [];
    private readonly List<string> _paths = [];
    private readonly Dictionary<string, int> _references = new(StringComparer.Ordinal) { ["#"] = 0 };
    private readonly Dictionary<int, int[]> _unions = [];
    private readonly HashSet<int> _resolving = [];
    private int? _any;

    private JsonSchemaCompiler(JsonElement root)
    {
        _root = root;
    }

    public static JsonGrammar Compile(JsonElement schema)
    {
        var compiler = new JsonSchemaCompiler(schema);
        compiler.CompileInto(compiler.Reserve("#"), schema, "#");
        foreach (int union in compiler._unions.Keys.ToArray())
        {
            compiler.Resolve(union);
        }

        JsonGrammarNode root = compiler._nodes[0];
        if (root.Object is null || root.Array is not null || root.String is not null || root.Number != JsonNumberKind.None || root.Literals.Length > 0)
        {
            throw new JsonSchemaNotSupportedException("#", "The answer must be a JSON object: the root schema must be \"type\": \"object\" and nothing else");
        }

        compiler.CheckKindsStartDifferently();
        return new JsonGrammar(compiler._nodes);
    }

    /// <summary>The grammar of any JSON object.</summary>
    public static JsonGrammar AnyObject()
    {
        var compiler = new JsonSchemaCompiler(default);
        int root = compiler.Reserve("#");
        compiler._nodes[root].Object = new JsonObjectShape([], compiler.Any());
        return new JsonGrammar(compiler._nodes);
    }

    private static byte[] Written(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, Compact))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static bool Matches(JsonElement value, string type) => (type, value.ValueKind) switch
    {
        ("object", JsonValueKind.Object) or ("array", JsonValueKind.Array) or ("string", JsonValueKind.String)
            or ("number", JsonValueKind.Number) or ("null", JsonValueKind.Null) => true,
        ("boolean", JsonValueKind.True or JsonValueKind.False) => true,
        ("integer", JsonValueKind.Number) => value.TryGetDecimal(out decimal number) && decimal.Truncate(number) == number,
        _ => false,
    };

    private static int Count(JsonElement schema, string keyword, string path, int absent)
    {
        if (!schema.TryGetProperty(keyword, out JsonElement value))
        {
            return absent;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int count) && count is >= 0 and <= ushort.MaxValue
            ? count
            : throw new JsonSchemaNotSupportedException(path, $"'{keyword}' must be a whole number from 0 to {ushort.MaxValue}");
    }

    private static string Escape(string name) => name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private int Reserve(string path)
    {
        _nodes.Add(new JsonGrammarNode());
        _paths.Add(path);
        return _nodes.Count - 1;
    }

    private int Compiled(JsonElement schema, string path)
    {
        int node = Reserve(path);
        CompileInto(node, schema, path);
        return node;
    }

    /// <summary>The node of any JSON value (made once, its containers holding any values again).</summary>
    private int Any()
    {
        if (_any is { } any)
        {
            return any;
        }

        int node = Reserve("(any value)");
        _any = node;
        _nodes[node].Object = new JsonObjectShape([], node);
        _nodes[node].Array = new JsonArrayShape(node, 0, int.MaxValue);
        _nodes[node].String = new JsonStringShape(0, int.MaxValue);
        _nodes[node].Number = JsonNumberKind.Any;
        _nodes[node].Literals = SortedByteStrings.Sort(["true"u8.ToArray(), "false"u8.ToArray(), "null"u8.ToArray()]);
        return node;
    }

    private void CompileInto(int node, JsonElement schema, string path)
    {
        switch (schema.ValueKind)
        {
            case JsonValueKind.True:
                _unions[node] = [Any()];
                return;
            case JsonValueKind.Object:
                break;
            case JsonValueKind.False:
                throw new JsonSchemaNotSupportedException(path, "The schema false allows no value");
            default:
                throw new JsonSchemaNotSupportedException(path, "A schema must be an object or a boolean");
        }

        string[] assertions = [.. schema.EnumerateObject().Select(property => property.Name).Where(name => !Annotations.Contains(name))];
        if (assertions.FirstOrDefault(name => !Assertions.Contains(name)) is { } unknown)
        {
            throw new JsonSchemaNotSupportedException(path, $"'{unknown}' is not enforced by this server, so it is refused rather than ignored");
        }

        if (assertions.FirstOrDefault(name => name is "$ref" or "anyOf" or "oneOf" or "allOf") is { } combinator)
        {
            if (assertions.Length > 1)
            {
                throw new JsonSchemaNotSupportedException(path, $"'{combinator}' is supported with annotations beside it only, not with '{assertions.First(name => name != combinator)}'");
            }

            _unions[node] = combinator == "$ref" ? [Reference(schema.GetProperty("$ref"), path)] : Alternatives(schema.GetProperty(combinator), combinator, path);
            return;
        }

        HashSet<string>? types = Types(schema, path);
        if (schema.TryGetProperty("enum", out JsonElement values) || schema.TryGetProperty("const", out values))
        {
            CompileLiterals(node, schema, values, types, path);
            return;
        }

        types ??= Inferred(schema);
        if (types is null)
        {
            _unions[node] = [Any()];
            return;
        }

        CompileTypes(node, schema, types, path);
    }

    private void CompileTypes(int node, JsonElement schema, HashSet<string> types, string path)
    {
        JsonGrammarNode target = _nodes[node];
        var literals = new List<byte[]>();
        foreach (string type in types)
        {
            switch (type)
            {
                case "object":
                    target.Object = ObjectShape(schema, path);
                    break;
                case "array":
                    target.Array = ArrayShape(schema, path);
                    break;
                case "string":
                    target.String = new JsonStringShape(Count(schema, "minLength", path, 0), Count(schema, "maxLength", path, int.MaxValue));
                    if (target.String.MinLength > target.String.MaxLength)
                    {
                        throw new JsonSchemaNotSupportedException(path, "'minLength' is more than 'maxLength'");
                    }

                    break;
                case "integer":
                    target.Number = (JsonNumberKind)Math.Max((int)target.Number, (int)JsonNumberKind.Integer);
                    break;
                case "number":
                    target.Number = JsonNumberKind.Any;
                    break;
                case "boolean":
                    literals.Add("true"u8.ToArray());
                    literals.Add("false"u8.ToArray());
                    break;
                default:
                    literals.Add("null"u8.ToArray());
                    break;
            }
        }

        if (schema.TryGetProperty("nullable", out JsonElement nullable) && nullable.ValueKind == JsonValueKind.True)
        {
            literals.Add("null"u8.ToArray());
        }

        target.Literals = SortedByteStrings.Sort(literals);
    }

    /// <summary><c>enum</c> or <c>const</c>: the values (of the schema's types, when it names them), each written compactly.</summary>
    private void CompileLiterals(int node, JsonElement schema, JsonElement values, HashSet<string>? types, string path)
    {
        string keyword = schema.TryGetProperty("enum", out _) ? "enum" : "const";
        if (keyword == "enum" && (values.ValueKind != JsonValueKind.Array || values.GetArrayLength() == 0))
        {
            throw new JsonSchemaNotSupportedException(path, "'enum' must be an array of at least one value");
        }

        JsonElement[] allowed = keyword == "enum" ? [.. values.EnumerateArray()] : [values];
        if (types is not null)
        {
            allowed = [.. allowed.Where(value => types.Any(type => Matches(value, type)))];
        }

        bool nullable = schema.TryGetProperty("nullable", out JsonElement flag) && flag.ValueKind == JsonValueKind.True;
        if (allowed.Length == 0 && !nullable)
        {
            throw new JsonSchemaNotSupportedException(path, $"No value of '{keyword}' is of the schema's 'type'");
        }

        IEnumerable<byte[]> literals = allowed.Select(value => Written(value.WriteTo));
        _nodes[node].Literals = SortedByteStrings.Sort(nullable ? literals.Append("null"u8.ToArray()) : literals);
    }

    private static HashSet<string>? Types(JsonElement schema, string path)
    {
        if (!schema.TryGetProperty("type", out JsonElement type))
        {
            return null;
        }

        JsonElement[] names = type.ValueKind == JsonValueKind.Array ? [.. type.EnumerateArray()] : [type];
        HashSet<string> types = [];
        foreach (JsonElement name in names)
        {
            if (name.ValueKind != JsonValueKind.String || name.GetString() is not ("object" or "array" or "string" or "number" or "integer" or "boolean" or "null"))
            {
                throw new JsonSchemaNotSupportedException(path, $"'type' {name.GetRawText()} is not one of object, array, string, number, integer, boolean, null");
            }

            types.Add(name.GetString()!);
        }

        return types.Count > 0 ? types : throw new JsonSchemaNotSupportedException(path, "'type' names no type");
    }

    /// <summary>Without <c>type</c>, the type its other keywords describe; null (any value) when they describe none.</summary>
    private static HashSet<string>? Inferred(JsonElement schema)
    {
        bool Has(string[] keywords) => keywords.Any(keyword => schema.TryGetProperty(keyword, out _));
        HashSet<string> types = [];
        if (Has(ObjectKeywords))
        {
            types.Add("object");
        }

        if (Has(ArrayKeywords))
        {
            types.Add("array");
        }

        if (Has(StringKeywords))
        {
            types.Add("string");
        }

        if (schema.TryGetProperty("nullable", out JsonElement nullable) && nullable.ValueKind == JsonValueKind.True && types.Count > 0)
        {
            types.Add("null");
        }

        return types.Count > 0 ? types : null;
    }

    private JsonObjectShape ObjectShape(JsonElement schema, string path)
    {
        var properties = new List<(string Name, int Node)>();
        if (schema.TryGetProperty("properties", out JsonElement declared))
        {
            if (declared.ValueKind != JsonValueKind.Object)
            {
                throw new JsonSchemaNotSupportedException(path, "'properties' must be an object");
            }

            foreach (JsonProperty property in declared.EnumerateObject())
            {
                if (properties.Exists(known => known.Name == property.Name))
                {
                    throw new JsonSchemaNotSupportedException(path, $"'properties' names '{property.Name}' twice");
                }

                properties.Add((property.Name, Compiled(property.Value, $"{path}/properties/{Escape(property.Name)}")));
            }
        }

        if (properties.Count > JsonObjectShape.MaxProperties)
        {
            throw new JsonSchemaNotSupportedException(path, $"An object may declare at most {JsonObjectShape.MaxProperties} properties here, not {properties.Count}");
        }

        HashSet<string> required = Required(schema, properties.Select(property => property.Name), path);
        return new JsonObjectShape(
            [.. properties.Select(property => new JsonGrammarProperty(Written(writer => writer.WriteStringValue(property.Name)), property.Node, required.Contains(property.Name)))],
            OpenValues(schema, properties.Count > 0, path));
    }

    private static HashSet<string> Required(JsonElement schema, IEnumerable<string> declared, string path)
    {
        if (!schema.TryGetProperty("required", out JsonElement required))
        {
            return [];
        }

        if (required.ValueKind != JsonValueKind.Array || required.EnumerateArray().Any(name => name.ValueKind != JsonValueKind.String))
        {
            throw new JsonSchemaNotSupportedException(path, "'required' must be an array of property names");
        }

        HashSet<string> names = [.. required.EnumerateArray().Select(name => name.GetString()!)];
        if (names.FirstOrDefault(name => !declared.Contains(name)) is { } undeclared)
        {
            throw new JsonSchemaNotSupportedException(path, $"'required' names '{undeclared}', which 'properties' does not declare");
        }

        return names;
    }

    /// <summary>The node of the values of an object's open keys, or null when it has only its declared properties.</summary>
    private int? OpenValues(JsonElement schema, bool declaresProperties, string path)
    {
        if (!schema.TryGetProperty("additionalProperties", out JsonElement additional))
        {
            return declaresProperties ? null : Any();
        }

        if (additional.ValueKind == JsonValueKind.False)
        {
            return null;
        }

        if (declaresProperties)
        {
            throw new JsonSchemaNotSupportedException(path, "'additionalProperties' other than false beside 'properties' is not supported: an object here has either declared keys or open ones");
        }

        return Compiled(additional, $"{path}/additionalProperties");
    }

    private JsonArrayShape ArrayShape(JsonElement schema, string path)
    {
        int items;
        if (!schema.TryGetProperty("items", out JsonElement itemSchema))
        {
            items = Any();
        }
        else if (itemSchema.ValueKind == JsonValueKind.Array)
        {
            throw new JsonSchemaNotSupportedException(path, "'items' as an array (tuples) is not supported");
        }
        else
        {
            items = Compiled(itemSchema, $"{path}/items");
        }

        var shape = new JsonArrayShape(items, Count(schema, "minItems", path, 0), Count(schema, "maxItems", path, int.MaxValue));
        return shape.MinItems <= shape.MaxItems ? shape : throw new JsonSchemaNotSupportedException(path, "'minItems' is more than 'maxItems'");
    }

    private int[] Alternatives(JsonElement alternatives, string keyword, string path)
    {
        if (alternatives.ValueKind != JsonValueKind.Array || alternatives.GetArrayLength() == 0)
        {
            throw new JsonSchemaNotSupportedException(path, $"'{keyword}' must be an array of at least one schema");
        }

        if (keyword == "allOf" && alternatives.GetArrayLength() > 1)
        {
            throw new JsonSchemaNotSupportedException(path, "'allOf' of more than one schema is not supported");
        }

        return [.. alternatives.EnumerateArray().Select((alternative, i) => Compiled(alternative, $"{path}/{keyword}/{i}"))];
    }

    /// <summary>The node a <c>$ref</c> names: a JSON pointer into this schema, compiled once however often it is named.</summary>
    private int Reference(JsonElement reference, string path)
    {
        string pointer = reference.ValueKind == JsonValueKind.String ? reference.GetString()! : "";
        if (_references.TryGetValue(pointer, out int known))
        {
            return known;
        }

        if (!pointer.StartsWith("#/", StringComparison.Ordinal))
        {
            throw new JsonSchemaNotSupportedException(path, $"'$ref' {reference.GetRawText()} is not supported: only references inside the schema ('#/$defs/Name', '#') are");
        }

        JsonElement target = _root;
        foreach (string part in pointer[2..].Split('/'))
        {
            string name = Uri.UnescapeDataString(part).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            bool found = target.ValueKind == JsonValueKind.Object ? target.TryGetProperty(name, out target)
                : target.ValueKind == JsonValueKind.Array && int.TryParse(name, out int index) && index >= 0 && index < target.GetArrayLength()
                    && (target = target[index]).ValueKind != JsonValueKind.Undefined;
            if (!found)
            {
                throw new JsonSchemaNotSupportedException(path, $"'$ref' {pointer} names nothing in the schema");
            }
        }

        int node = Reserve(pointer);
        _references[pointer] = node;
        CompileInto(node, target, pointer);
        return node;
    }

    /// <summary>Gives a combinator's node the kinds of its alternatives, which must start differently.</summary>
    private void Resolve(int node)
    {
        if (!_unions.TryGetValue(node, out int[]? alternatives))
        {
            return;
        }

        if (!_resolving.Add(node))
        {
            throw new JsonSchemaNotSupportedException(_paths[node], "The schema refers to itself without a value in between");
        }

        JsonGrammarNode target = _nodes[node];
        foreach (int alternative in alternatives)
        {
            Resolve(alternative);
            JsonGrammarNode source = _nodes[alternative];
            target.Object = Either(target.Object, source.Object, "objects", node);
            target.Array = Either(target.Array, source.Array, "arrays", node);
            target.String = Either(target.String, source.String, "strings", node);
            target.Number = (JsonNumberKind)Math.Max((int)target.Number, (int)source.Number);
            target.Literals = SortedByteStrings.Sort([.. target.Literals, .. source.Literals]);
        }

        _unions.Remove(node);
        _resolving.Remove(node);
    }

    private T? Either<T>(T? current, T? other, string kind, int node)
        where T : class
    {
        if (current is not null && other is not null && !ReferenceEquals(current, other))
        {
            throw new JsonSchemaNotSupportedException(
                _paths[node],
                $"Two alternatives both allow {kind}: alternatives of 'anyOf' or 'oneOf' must start differently here (an object, an array, a string, a number, or different literal values)");
        }

        return current ?? other;
    }

    /// <summary>A literal may not start as a kind its node also allows (an enum string beside any string): the cursor tells kinds apart by their first byte.</summary>
    private void CheckKindsStartDifferently()
    {
        if (_nodes.Count > ushort.MaxValue)
        {
            throw new JsonSchemaNotSupportedException("#", $"The schema is too large: {_nodes.Count} nodes, at most {ushort.MaxValue}");
        }

        for (int i = 0; i < _nodes.Count; i++)
        {
            JsonGrammarNode node = _nodes[i];
            if (node.Literals.Length > ushort.MaxValue)
            {
                throw new JsonSchemaNotSupportedException(_paths[i], $"At most {ushort.MaxValue} enum values are supported");
            }

            foreach (byte[] literal in node.Literals)
            {
                bool clash = literal[0] switch
                {
                    (byte)'{' => node.Object is not null,
                    (byte)'[' => node.Array is not null,
                    (byte)'"' => node.String is not null,
                    (byte)'-' or (>= (byte)'0' and <= (byte)'9') => node.Number != JsonNumberKind.None,
                    _ => false,
                };
                if (clash)
                {
                    throw new JsonSchemaNotSupportedException(
                        _paths[i], $"The value {System.Text.Encoding.UTF8.GetString(literal)} is allowed both as itself and as any value of its type: alternatives must start differently here");
                }
            }
        }
    }
}
