using System.Diagnostics;
using System.Globalization;

namespace Quicksilver.Platform;

/// <summary>A platform process (a pod or the gateway), its output prefixed with its name, killed with the launcher.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;

    private ChildProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <c>dotnet &lt;assembly&gt; args…</c> in the assembly's folder with <paramref name="environment"/> added.</summary>
    /// <param name="echo">Whether its output is printed; otherwise it is read and dropped.</param>
    public static ChildProcess Start(string name, string assembly, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, bool echo = true)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assembly);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach ((string key, string value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {name}.");
        if (echo)
        {
            process.OutputDataReceived += (_, line) => Print(name, line.Data);
            process.ErrorDataReceived += (_, line) => Print(name, line.Data);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ChildProcess(name, process);
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>Kills the process tree at once (no drain) and waits for it to go.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>Sends the process a POSIX signal by name (<c>STOP</c>, <c>CONT</c>) with <c>kill(1)</c>.</summary>
    public void Signal(string signal)
    {
        var start = new ProcessStartInfo("kill") { UseShellExecute = false };
        start.ArgumentList.Add($"-{signal}");
        start.ArgumentList.Add(_process.Id.ToString(CultureInfo.InvariantCulture));
        using Process kill = Process.Start(start) ?? throw new InvalidOperationException($"Could not run kill -{signal} for {Name}.");
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {_process.Id} ({Name}) exited with {kill.ExitCode}.");
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private static void Print(string name, string? line)
    {
        if (line is not null)
        {
            Console.WriteLine($"[{name}] {line}");
        }
    }
}
