using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace M2MDemo.Benchmarks;

/// <summary>
/// Measurement 3: <c>gets</c> GET /payments/{id} (Payments reads the invoice from Billing with a billing:read token) and
/// <c>posts</c> POST /payments (Payments creates the invoice with a billing:write token), all released at the same instant.
/// Prints one JSON line: how many calls, their status codes, and how long the burst took.
/// </summary>
internal static class Burst
{
    public static async Task<int> RunAsync(Uri payments, string token, Guid paymentId, int gets, int posts)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue })
        {
            BaseAddress = payments,
            Timeout = TimeSpan.FromSeconds(60),
        };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = Guid.NewGuid().ToString("N")[..8];
        var calls = Enumerable.Range(0, gets + posts).Select(async i =>
        {
            await start.Task;
            using var request = i < gets
                ? new HttpRequestMessage(HttpMethod.Get, $"/payments/{paymentId}")
                : new HttpRequestMessage(HttpMethod.Post, "/payments")
                {
                    Content = JsonContent.Create(new { amount = 12.50m, currency = "EUR", description = "burst" }),
                    Headers = { { "Idempotency-Key", $"burst-{run}-{i}" } },
                };
            try
            {
                using var response = await http.SendAsync(request);
                return ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                return exception.GetType().Name;
            }
        }).ToList();

        var clock = Stopwatch.StartNew();
        start.SetResult();
        var outcomes = await Task.WhenAll(calls);
        clock.Stop();

        var statuses = outcomes.GroupBy(o => o).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { calls = outcomes.Length, statuses, seconds = Math.Round(clock.Elapsed.TotalSeconds, 2) }));
        return 0;
    }
}
