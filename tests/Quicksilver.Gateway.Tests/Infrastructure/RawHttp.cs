using System.Net.Sockets;
using System.Text;

namespace Quicksilver.Gateway.Tests.Infrastructure;

/// <summary>HTTP/1.1 by hand, for requests HttpClient will not send (broken chunking, a body that stops short).</summary>
public static class RawHttp
{
    /// <summary>
    /// Sends <paramref name="head"/> (request line and headers, CRLF-separated, without the blank line) and
    /// <paramref name="body"/> to <paramref name="address"/>, leaves the connection open, and returns the status code
    /// and body of the response, read until the server closes the connection.
    /// </summary>
    public static async Task<(int Status, string Body)> ExchangeAsync(Uri address, string head, string body, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(address);
        using var cancel = new CancellationTokenSource(timeout);
        using var client = new TcpClient();
        await client.ConnectAsync(address.Host, address.Port, cancel.Token);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{head}\r\n\r\n{body}"), cancel.Token);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string response = await reader.ReadToEndAsync(cancel.Token);
        int status = int.Parse(response.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);
        int blank = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return (status, Dechunk(response[..blank], response[(blank + 4)..]));
    }

    /// <summary>
    /// Sends <paramref name="head"/> and the start of a body, then resets the connection (TCP RST, as a client that
    /// crashes mid-upload) or closes it for sending (FIN) and reads what the server answers until it closes; returns
    /// that ("" after a reset).
    /// </summary>
    public static async Task<string> SendThenGoAsync(Uri address, string head, string bodyStart, bool reset)
    {
        ArgumentNullException.ThrowIfNull(address);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var client = new TcpClient();
        await client.ConnectAsync(address.Host, address.Port, cancel.Token);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{head}\r\n\r\n{bodyStart}"), cancel.Token);
        await Task.Delay(TimeSpan.FromMilliseconds(200), cancel.Token); // the server is reading the body by then
        if (reset)
        {
            client.LingerState = new LingerOption(enable: true, seconds: 0);
            client.Close();
            return "";
        }

        client.Client.Shutdown(SocketShutdown.Send);
        using var answer = new MemoryStream();
        try
        {
            await stream.CopyToAsync(answer, cancel.Token);
        }
        catch (IOException)
        {
            // The server reset the connection instead of closing it: what came before is the answer.
        }

        return Encoding.ASCII.GetString(answer.ToArray());
    }

    private static string Dechunk(string head, string body)
    {
        if (!head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            return body;
        }

        var text = new StringBuilder();
        int at = 0;
        while (true)
        {
            int lineEnd = body.IndexOf("\r\n", at, StringComparison.Ordinal);
            int size = Convert.ToInt32(body[at..lineEnd], 16);
            if (size == 0)
            {
                return text.ToString();
            }

            text.Append(body, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }
    }
}
