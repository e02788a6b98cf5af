using Microsoft.Extensions.Options;
using Quicksilver.Gateway.Tenancy;

namespace Quicksilver.Gateway;

/// <summary>
/// The gateway's entry point. <c>hash-key &lt;key&gt;</c> prints the stored form of an API key and
/// <c>new-key</c> makes one; anything else runs the gateway.
/// </summary>
public sealed class Program
{
    private Program()
    {
    }

    public static int Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        switch (args)
        {
            case ["hash-key", string key]:
                Console.WriteLine(ApiKeyHash.Format(key));
                return 0;
            case ["new-key"]:
                string newKey = ApiKeyHash.NewKey();
                Console.WriteLine($"key:    {newKey}");
                Console.WriteLine($"stored: {ApiKeyHash.Format(newKey)}");
                return 0;
            default:
                break;
        }

        WebApplication app = GatewayApplication.Build(args);
        try
        {
            app.Run();
            return 0;
        }
        catch (OptionsValidationException exception)
        {
            app.Logger.LogCritical("Invalid settings: {Failures}", string.Join(" ", exception.Failures));
            return 1;
        }
        catch (InvalidDataException exception)
        {
            app.Logger.LogCritical("{Problem}", exception.Message);
            return 1;
        }
    }
}
