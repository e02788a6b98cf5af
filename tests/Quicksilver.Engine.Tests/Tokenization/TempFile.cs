namespace Quicksilver.Engine.Tests.Tokenization;

/// <summary>A file in a fresh temporary directory, deleted with the directory on dispose.</summary>
internal sealed class TempFile : IDisposable
{
    public TempFile(string name, string content)
    {
        Directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "qs-tok-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        Path = System.IO.Path.Combine(Directory, name);
        File.WriteAllText(Path, content);
    }

    public string Directory { get; }

    public string Path { get; }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
