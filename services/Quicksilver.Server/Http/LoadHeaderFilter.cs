using Quicksilver.Engine;
using Quicksilver.Server.Hosting;

namespace Quicksilver.Server.Http;

/// <summary>
/// Adds <c>X-Quicksilver-Load</c> (<see cref="LoadHeader"/>) to every response of an endpoint, answers and errors
/// alike, with the load read when the response headers go out. None while the model is loading (no engine yet).
/// </summary>
internal sealed class LoadHeaderFilter(ModelCatalog catalog) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        HttpResponse response = context.HttpContext.Response;
        response.OnStarting(() =>
        {
            if (catalog.Models is [ServedModel model, ..])
            {
                response.Headers[QuicksilverHeaders.Load] = LoadHeader.Format(model.Engine.Load);
            }

            return Task.CompletedTask;
        });
        return next(context);
    }
}
