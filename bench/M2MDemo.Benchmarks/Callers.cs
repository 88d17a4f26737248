using System.Diagnostics;
using System.Net.Http.Json;

namespace M2MDemo.Benchmarks;

/// <summary>
/// Measurement 7: <c>count</c> POST /payments from the distinct callers whose access tokens are the lines of
/// <c>tokenFile</c> (round robin), <c>concurrency</c> at a time. Prints one JSON line: calls, status codes, seconds.
/// The IdP requests they caused are counted by the token proxy, not here.
/// </summary>
internal static class Callers
{
    public static async Task<int> RunAsync(Uri payments, string tokenFile, int count, int concurrency)
    {
        var tokens = (await File.ReadAllLinesAsync(tokenFile)).Where(line => line.Length > 0).ToArray();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency })
        {
            BaseAddress = payments,
            Timeout = TimeSpan.FromSeconds(60),
        };

        var run = Guid.NewGuid().ToString("N")[..8];
        var next = -1;
        var outcomes = new System.Collections.Concurrent.ConcurrentBag<string>();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/payments")
                {
                    Content = JsonContent.Create(new { amount = 12.50m, currency = "EUR", description = "callers" }),
                    Headers = { { "Idempotency-Key", $"callers-{run}-{i}" }, { "Authorization", "Bearer " + tokens[i % tokens.Length] } },
                };
                try
                {
                    using var response = await http.SendAsync(request);
                    outcomes.Add(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    outcomes.Add(exception.GetType().Name);
                }
            }
        }));
        clock.Stop();

        var statuses = outcomes.GroupBy(o => o).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { calls = outcomes.Count, callers = tokens.Length, statuses, seconds = Math.Round(clock.Elapsed.TotalSeconds, 2) }));
        return 0;
    }
}
