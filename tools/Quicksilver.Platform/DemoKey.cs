using System.Diagnostics;

namespace Quicksilver.Platform;

/// <summary>A fresh API key for the demo tenant, made by the gateway's own <c>new-key</c> command (key and stored hash).</summary>
internal static class DemoKey
{
    public static async Task<(string Key, string Stored)> CreateAsync(string gatewayAssembly)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(gatewayAssembly);
        start.ArgumentList.Add("new-key");
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("Could not run the gateway's new-key command.");
        string output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string? key = lines.FirstOrDefault(l => l.StartsWith("key:", StringComparison.Ordinal))?[4..].Trim();
        string? stored = lines.FirstOrDefault(l => l.StartsWith("stored:", StringComparison.Ordinal))?[7..].Trim();
        return key is not null && stored is not null && process.ExitCode == 0
            ? (key, stored)
            : throw new InvalidOperationException($"The gateway's new-key command said: {output}");
    }
}
