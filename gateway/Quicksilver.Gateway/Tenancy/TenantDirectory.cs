using Microsoft.Extensions.Options;
using Quicksilver.Gateway.Options;

namespace Quicksilver.Gateway.Tenancy;

/// <summary>
/// The tenants and their keys, as last read from <see cref="TenancyOptions.ApiKeysFile"/>. A file that fails to parse
/// on reload is logged and the previous tenants stay in force, so a bad edit never locks every tenant out.
/// </summary>
internal sealed partial class TenantDirectory(IOptions<TenancyOptions> options, ILogger<TenantDirectory> logger)
{
    private readonly string _path = options.Value.ApiKeysFile ?? throw new InvalidOperationException("Gateway:Tenancy:ApiKeysFile is not set.");
    private volatile ApiKeyIndex _index = ApiKeyIndex.Empty;
    private string? _loadedText;

    /// <summary>Whether the file has been read at least once.</summary>
    public bool IsLoaded => _loadedText is not null;

    /// <summary>The tenant owning <paramref name="key"/>, or null.</summary>
    public Tenant? Authenticate(string key) => _index.Find(key);

    /// <summary>Reads the file; throws on the first load if it is missing or invalid, logs on later ones.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(_path, cancellationToken);
        }
        catch (IOException exception) when (IsLoaded)
        {
            LogReloadFailed(logger, _path, exception.Message);
            return;
        }

        if (text == _loadedText)
        {
            return;
        }

        try
        {
            ApiKeyIndex index = TenantsFile.Parse(text, _path);
            _index = index;
            _loadedText = text;
            LogLoaded(logger, _path, index.Tenants.Count());
        }
        catch (InvalidDataException exception) when (IsLoaded)
        {
            LogReloadFailed(logger, _path, exception.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Tenants} tenants from {Path}.")]
    private static partial void LogLoaded(ILogger logger, string path, int tenants);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not reload the tenants file {Path}; the previous tenants stay in force: {Problem}")]
    private static partial void LogReloadFailed(ILogger logger, string path, string problem);
}
