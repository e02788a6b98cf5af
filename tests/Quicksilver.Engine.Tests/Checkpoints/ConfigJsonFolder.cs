using System.Text.Json.Nodes;
using Quicksilver.Engine.Checkpoints;

namespace Quicksilver.Engine.Tests.Checkpoints;

/// <summary>
/// A temporary folder for <c>config.json</c> variants: a base file with one edit applied, and the
/// <see cref="CheckpointException"/> that reading such a variant must raise.
/// </summary>
internal sealed class ConfigJsonFolder : IDisposable
{
    public TempFolder Folder { get; } = new();

    /// <summary>Writes <paramref name="baseJson"/> with <paramref name="edit"/> applied, as config.json; returns its path.</summary>
    public string Write(string baseJson, Action<JsonObject>? edit = null)
    {
        JsonObject json = JsonNode.Parse(baseJson)!.AsObject();
        edit?.Invoke(json);
        return Folder.WriteText(CheckpointFileNames.Config, json.ToJsonString());
    }

    /// <summary>Asserts that reading the edited file fails naming it, <paramref name="field"/> and each fragment.</summary>
    public void AssertReadFails(string baseJson, Action<JsonObject> edit, string field, params string[] fragments)
    {
        string path = Write(baseJson, edit);
        CheckpointAssert.Throws(() => ModelConfigReader.Read(path), path, field, fragments);
    }

    public void Dispose() => Folder.Dispose();
}
