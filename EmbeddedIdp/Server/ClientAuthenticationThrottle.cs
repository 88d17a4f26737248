using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;

namespace EmbeddedIdp.Server;

/// <summary>
/// Slows down secret guessing at the token, introspection and revocation endpoints, after Keycloak's brute-force
/// detection (failures counted, then a wait that grows with each further failure, capped): failed client
/// authentications (401) are counted per client id and source address, and per source address alone. Once over the
/// limit, the endpoint answers 429 with <c>Retry-After</c> and the same body as a wrong secret, even for the right
/// secret, so a guess cannot be confirmed during the wait. A success resets the client's count for that source.
/// Keyed by source too, so an attacker elsewhere cannot lock a client out of its own network location.
/// </summary>
public sealed partial class ClientAuthenticationThrottle(RequestDelegate next, TimeProvider time, ILogger<ClientAuthenticationThrottle> logger)
{
    /// <summary>Failures of one client from one source before it must wait.</summary>
    public const int FailuresPerClient = 10;

    /// <summary>Failures from one source, whatever the client, before it must wait (spraying many client ids).</summary>
    public const int FailuresPerSource = 30;

    /// <summary>Each failure over the limit adds this to the wait (Keycloak's waitIncrementSeconds default).</summary>
    public static readonly TimeSpan WaitIncrement = TimeSpan.FromMinutes(1);

    /// <summary>The longest wait (Keycloak's maxFailureWaitSeconds default), and how long a count is remembered.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(15);

    // Bounded: beyond this many tracked keys, stale ones are dropped first; the memory an attacker can fill is fixed.
    private const int MaxTracked = 100_000;

    private readonly ConcurrentDictionary<string, Failures> _failures = new(StringComparer.Ordinal);

    public async Task InvokeAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method) || !IsClientAuthenticatedEndpoint(context.Request.Path))
        {
            await next(context);
            return;
        }

        var source = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var clientId = await ClientIdOfAsync(context.Request) ?? "";
        var clientKey = $"client {clientId} {source}";
        var sourceKey = $"source {source}";
        var now = time.GetUtcNow();

        var wait = Max(WaitOf(clientKey, FailuresPerClient, now), WaitOf(sourceKey, FailuresPerSource, now));
        if (wait > TimeSpan.Zero)
        {
            LogThrottled(logger, Cut(clientId), source, (int)Math.Ceiling(wait.TotalSeconds));
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.Headers.CacheControl = "no-store";
            await context.Response.WriteAsJsonAsync(new Dictionary<string, string>
            {
                ["error"] = "unauthorized_client",
                ["error_description"] = "Invalid client or Invalid client credentials",
            });
            return;
        }

        await next(context);

        if (context.Response.StatusCode == StatusCodes.Status401Unauthorized)
        {
            Record(clientKey, now);
            Record(sourceKey, now);
        }
        else if (context.Response.StatusCode < 400)
        {
            _failures.TryRemove(clientKey, out _);
        }
    }

    private static bool IsClientAuthenticatedEndpoint(PathString path) =>
        path.Value is { } value && value.StartsWith("/realms/", StringComparison.Ordinal)
        && (value.EndsWith("/protocol/openid-connect/token", StringComparison.Ordinal)
            || value.EndsWith("/protocol/openid-connect/token/introspect", StringComparison.Ordinal)
            || value.EndsWith("/protocol/openid-connect/revoke", StringComparison.Ordinal));

    private TimeSpan WaitOf(string key, int limit, DateTimeOffset now)
    {
        if (!_failures.TryGetValue(key, out var failures) || failures.Count < limit)
        {
            return TimeSpan.Zero;
        }

        var wait = WaitIncrement * (failures.Count - limit + 1);
        var until = failures.Last + (wait < MaxWait ? wait : MaxWait);
        return until > now ? until - now : TimeSpan.Zero;
    }

    private void Record(string key, DateTimeOffset now)
    {
        if (_failures.Count >= MaxTracked)
        {
            foreach (var (staleKey, stale) in _failures)
            {
                if (now - stale.Last > MaxWait)
                {
                    _failures.TryRemove(staleKey, out _);
                }
            }
        }

        if (_failures.Count < MaxTracked || _failures.ContainsKey(key))
        {
            // A count older than the longest wait starts over, as Keycloak's maxDeltaTime does.
            _failures.AddOrUpdate(key, _ => new Failures(1, now),
                (_, previous) => now - previous.Last > MaxWait ? new Failures(1, now) : new Failures(previous.Count + 1, now));
        }
    }

    /// <summary>The client id the request authenticates as: HTTP Basic (RFC 6749 §2.3.1) or the form's <c>client_id</c>.</summary>
    private static async Task<string?> ClientIdOfAsync(HttpRequest request)
    {
        if (AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header)
            && header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) && header.Parameter is { } parameter)
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(parameter));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                return Uri.UnescapeDataString(colon < 0 ? decoded : decoded[..colon]);
            }
            catch (FormatException)
            {
                return null;
            }
        }

        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
            return form["client_id"].FirstOrDefault();
        }

        return null;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    // Attacker-chosen text: short, and without line breaks that could forge log lines.
    private static string Cut(string value) =>
        string.Concat(value.Take(100).Select(c => char.IsControl(c) ? '?' : c));

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Client authentication throttled for client {ClientId} from {Source}: too many failures, retry after {Seconds} s")]
    private static partial void LogThrottled(ILogger logger, string clientId, string source, int seconds);

    private sealed record Failures(int Count, DateTimeOffset Last);
}
