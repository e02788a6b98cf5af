namespace Quicksilver.Engine.Constraints.Json;

/// <summary>A JSON Schema asks for something <see cref="JsonGrammar.FromSchema"/> cannot enforce, or is not a valid schema.</summary>
public sealed class JsonSchemaNotSupportedException : Exception
{
    /// <summary>Creates the exception for the schema at JSON pointer <paramref name="path"/>.</summary>
    public JsonSchemaNotSupportedException(string path, string reason)
        : base($"{reason} (at '{path}').")
    {
        Path = path;
    }

    /// <summary>Where in the schema, as a JSON pointer (<c>#/properties/age</c>).</summary>
    public string Path { get; }
}
