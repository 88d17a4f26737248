using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Faults.Tests.Infrastructure;

/// <summary>
/// Steady traffic of many callers (checkout-service) at Payments: each pays, now and then replays its payment or reads
/// an invoiced one, then pauses briefly. Every answer is counted by operation and status; a broken connection counts as
/// "dropped". Payments the API accepted (201/202) are remembered, to be found in both databases at the end.
/// </summary>
public sealed class Traffic : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly string _token;
    private readonly int _callers;
    private readonly TimeSpan _pause;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, byte> _accepted = new();
    private readonly ConcurrentQueue<Guid> _invoiced = new();
    private readonly ConcurrentQueue<string> _violations = new();
    private Task[] _running = [];
    private volatile bool _paymentsDown;

    public Traffic(string paymentsAddress, string callerToken, int callers, TimeSpan pause)
    {
        _http = new HttpClient { BaseAddress = new Uri(paymentsAddress), Timeout = TimeSpan.FromSeconds(60) };
        _token = callerToken;
        _callers = callers;
        _pause = pause;
    }

    /// <summary>Answers by "OPERATION status" (POST, REPLAY, GET), e.g. <c>POST 201</c>, <c>GET 503</c>, <c>POST dropped</c>.</summary>
    public IReadOnlyDictionary<string, int> Counts => new SortedDictionary<string, int>(_counts, StringComparer.Ordinal);

    public int Calls => _counts.Values.Sum();

    public IReadOnlyCollection<Guid> Accepted => [.. _accepted.Keys];

    /// <summary>Answers that break a promise whatever the scenario: a 5xx other than 503, a 503 without Retry-After or problem details, a dropped call while Payments runs.</summary>
    public IReadOnlyCollection<string> Violations => [.. _violations];

    /// <summary>While true, a dropped call is what a caller of a dead Payments sees, not a violation.</summary>
    public bool PaymentsDown
    {
        get => _paymentsDown;
        set => _paymentsDown = value;
    }

    public int CountOf(Func<string, bool> key) => _counts.Where(c => key(c.Key)).Sum(c => c.Value);

    public void Start() =>
        _running = [.. Enumerable.Range(0, _callers).Select(caller => Task.Run(() => CallerAsync(caller, _stop.Token)))];

    /// <summary>Waits (bounded) until <paramref name="seen"/> holds for the counts so far, e.g. the first 202 of an outage.</summary>
    public async Task WaitUntilAsync(Func<Traffic, bool> seen, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (!seen(this))
        {
            try
            {
                await Task.Delay(100, deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"Not seen within {timeout}; answers so far: {Format(Counts)}");
            }
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_running).WaitAsync(TimeSpan.FromSeconds(90));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
        _http.Dispose();
    }

    public static string Format(IReadOnlyDictionary<string, int> counts) =>
        counts.Count == 0 ? "none" : string.Join(", ", counts.Select(c => $"{c.Key}: {c.Value}"));

    private async Task CallerAsync(int caller, CancellationToken stop)
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var key = $"caller-{caller}-{i}-{Guid.NewGuid():N}";
            await CallAsync("POST", () => Payment(key), stop);
            if (i % 4 == 1)
            {
                await CallAsync("REPLAY", () => Payment(key), stop);
            }

            if (i % 3 == 2 && _invoiced.TryPeek(out _))
            {
                // A payment that has an invoice, so reading it needs Billing (and a billing:read token).
                var invoiced = _invoiced.ElementAt(Random.Shared.Next(Math.Min(_invoiced.Count, 500)));
                await CallAsync("GET", () => new HttpRequestMessage(HttpMethod.Get, $"/payments/{invoiced}"), stop);
            }

            try
            {
                await Task.Delay(_pause, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private HttpRequestMessage Payment(string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/payments")
        {
            Content = JsonContent.Create(new { amount = 42.50m, currency = "EUR", description = "Order " + key }),
        };
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    private async Task CallAsync(string operation, Func<HttpRequestMessage> create, CancellationToken stop)
    {
        using var request = create();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        HttpResponseMessage response;
        try
        {
            // Not cancelled by stop: a call that was sent is seen through, so its payment is counted.
            response = await _http.SendAsync(request, CancellationToken.None);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            Count(operation, "dropped");
            if (!PaymentsDown)
            {
                _violations.Enqueue($"{operation} dropped while Payments was running: {exception.Message}");
            }

            return;
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            Count(operation, status.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (status >= 500 && (status != 503 || response.Headers.RetryAfter is null
                || response.Content.Headers.ContentType?.MediaType != "application/problem+json"))
            {
                _violations.Enqueue($"{operation} {status} (Retry-After: {response.Headers.RetryAfter?.ToString() ?? "none"})");
            }

            if (operation != "GET" && status is 200 or 201 or 202)
            {
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(CancellationToken.None));
                var id = body.RootElement.GetProperty("id").GetGuid();
                _accepted.TryAdd(id, 0);
                if (status == 201)
                {
                    _invoiced.Enqueue(id);
                }
            }
        }
    }

    private void Count(string operation, string outcome) => _counts.AddOrUpdate($"{operation} {outcome}", 1, (_, n) => n + 1);
}
