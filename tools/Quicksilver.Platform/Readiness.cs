namespace Quicksilver.Platform;

internal static class Readiness
{
    /// <summary>Polls <paramref name="probe"/> until it answers 200; fails when a child exits or after two minutes.</summary>
    public static async Task WaitAsync(HttpClient http, Uri probe, IReadOnlyList<ChildProcess> children)
    {
        DateTime deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            if (children.FirstOrDefault(child => child.HasExited) is { } died)
            {
                throw new InvalidOperationException($"{died.Name} exited before {probe} was ready; see its output above.");
            }

            try
            {
                using HttpResponseMessage response = await http.GetAsync(probe);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{probe} was not ready within two minutes.");
            }

            await Task.Delay(200);
        }
    }
}
