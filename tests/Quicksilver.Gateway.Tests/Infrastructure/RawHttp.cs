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
    /// Sends <paramref name="head"/> with <c>Expect: 100-continue</c>, waits for the server's <c>100 Continue</c> (it is
    /// reading the body then: a fixed wait was not always long enough on a loaded machine, and a reset that reaches the
    /// server before it has read the request makes the kernel drop the request unread), sends the start of a body, then
    /// resets the connection (TCP RST, as a client that crashes mid-upload) or closes it for sending (FIN) and reads
    /// what the server answers after the <c>100 Continue</c> until it closes; returns that ("" after a reset).
    /// </summary>
    public static async Task<string> SendThenGoAsync(Uri address, string head, string bodyStart, bool reset)
    {
        ArgumentNullException.ThrowIfNull(address);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var client = new TcpClient();
        await client.ConnectAsync(address.Host, address.Port, cancel.Token);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{head}\r\nExpect: 100-continue\r\n\r\n"), cancel.Token);
        string interim = await ReadHeadAsync(stream, cancel.Token);
        if (!interim.StartsWith("HTTP/1.1 100 ", StringComparison.Ordinal))
        {
            throw new IOException($"The server answered before reading the body: {interim}");
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(bodyStart), cancel.Token);
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

    /// <summary>
    /// Sends <paramref name="head"/> and the first <paramref name="sentBeforeAnswer"/> bytes of a body of
    /// <paramref name="bodyBytes"/>, waits for the answer's status line, then sends the rest of the body, as a client
    /// that reads no answer before it has sent its whole request would; then reads until the server closes. Returns the
    /// status, whether the rest of the body went through, and whether the connection then ended with a close, or stayed
    /// open for 2 s, rather than being reset.
    /// </summary>
    public static async Task<(int Status, bool RestSent, bool EndedCleanly)> SendPastAnEarlyAnswerAsync(Uri address, string head, int bodyBytes, int sentBeforeAnswer)
    {
        ArgumentNullException.ThrowIfNull(address);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var client = new TcpClient();
        await client.ConnectAsync(address.Host, address.Port, cancel.Token);
        NetworkStream stream = client.GetStream();
        byte[] body = Encoding.ASCII.GetBytes(new string('x', bodyBytes));
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{head}\r\n\r\n"), cancel.Token);
        await stream.WriteAsync(body.AsMemory(0, sentBeforeAnswer), cancel.Token);

        var answer = new StringBuilder();
        byte[] buffer = new byte[4096];
        while (!answer.ToString().Contains("\r\n", StringComparison.Ordinal))
        {
            int read = await stream.ReadAsync(buffer, cancel.Token);
            if (read == 0)
            {
                throw new IOException($"The server closed the connection before answering: {answer}");
            }

            answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        int status = int.Parse(answer.ToString().Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);
        bool restSent = true;
        try
        {
            for (int at = sentBeforeAnswer; at < bodyBytes; at += buffer.Length)
            {
                await stream.WriteAsync(body.AsMemory(at, Math.Min(buffer.Length, bodyBytes - at)), cancel.Token);
            }
        }
        catch (IOException)
        {
            restSent = false;
        }

        // Closed (the gateway says Connection: close) or kept open for the next request (a pod): not reset.
        using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token);
        quiet.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            while (await stream.ReadAsync(buffer, quiet.Token) > 0)
            {
            }

            return (status, restSent, EndedCleanly: true);
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            return (status, restSent, EndedCleanly: true);
        }
        catch (IOException)
        {
            return (status, restSent, EndedCleanly: false);
        }
    }

    /// <summary>Reads one response head, up to and including its blank line, a byte at a time (nothing after it).</summary>
    private static async Task<string> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        byte[] one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                throw new IOException($"The server closed the connection: {head}");
            }

            head.Append((char)one[0]);
        }

        return head.ToString();
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
