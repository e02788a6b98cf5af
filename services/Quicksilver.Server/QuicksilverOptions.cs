namespace Quicksilver.Server;

/// <summary>
/// Settings of the model server, bound from the <c>Quicksilver</c> configuration section
/// (<c>appsettings.json</c>, environment variables such as <c>Quicksilver__ModelPath</c>, or the command line).
/// </summary>
public sealed record QuicksilverOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Quicksilver";

    /// <summary>The model folder served when <see cref="ModelPath"/> is not set.</summary>
    public const string DefaultModelPath = "models/quicksilver-tiny";

    /// <summary>
    /// Folder of the model to serve (a Hugging Face-style folder: <c>config.json</c>, <c>*.safetensors</c>,
    /// <c>tokenizer.json</c>). Also settable with <c>--model &lt;folder&gt;</c> on the command line or the
    /// <c>Quicksilver__ModelPath</c> environment variable. An absolute path is used as is; a relative one is looked
    /// up under the content root, then under the repository root (the nearest folder above the content root that
    /// holds <c>Platform.sln</c>). Default: <c>models/quicksilver-tiny</c>.
    /// </summary>
    public string? ModelPath { get; init; }
}
