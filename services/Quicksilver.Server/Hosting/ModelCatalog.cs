using Quicksilver.Engine;
using Quicksilver.Server.Errors;

namespace Quicksilver.Server.Hosting;

/// <summary>The models this server serves: empty until <see cref="ModelLoadingService"/> has loaded the model.</summary>
internal sealed class ModelCatalog
{
    private volatile ServedModel? model;

    /// <summary>The loaded models (none while loading).</summary>
    public IReadOnlyList<ServedModel> Models => model is { } loaded ? [loaded] : [];

    public void Publish(ServedModel loaded)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        model = loaded;
    }

    /// <summary>
    /// The model a request names; null names the served model. Throws <see cref="ApiErrorException"/>: 404 for a
    /// model this server does not serve, 503 while the model is loading.
    /// </summary>
    public ServedModel Resolve(string? id)
    {
        ServedModel loaded = model ?? throw new ApiErrorException(
            ApiError.ServiceUnavailable("The model is still loading; try again shortly."));
        return string.IsNullOrEmpty(id) || string.Equals(id, loaded.Id, StringComparison.Ordinal)
            ? loaded
            : throw new ApiErrorException(ApiError.ModelNotFound(id));
    }
}
