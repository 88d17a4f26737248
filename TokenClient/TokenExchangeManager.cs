using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;

namespace TokenClient;

/// <summary>
/// Exchanges a caller's access token for one narrowed to a downstream call (RFC 8693), and caches the result per
/// (client, SHA-256 of the caller's token, scope set, audience) until the earlier of the two expiries: the exchanged
/// token's refresh point and the caller token's own <c>exp</c>, so nothing acts for a caller whose token has lapsed.
/// Concurrent requests for the same caller token share one exchange; a failed exchange is never cached.
/// </summary>
public sealed class TokenExchangeManager
{
    private static readonly HybridCacheEntryOptions ReadOnly = new()
    {
        Flags = HybridCacheEntryFlags.DisableLocalCacheWrite | HybridCacheEntryFlags.DisableDistributedCacheWrite,
    };

    private readonly HybridCache _cache;
    private readonly TokenEndpointClient _tokenEndpoint;
    private readonly IOptionsMonitor<TokenClientOptions> _options;
    private readonly TokenClientTelemetry _telemetry;
    private readonly TimeProvider _timeProvider;

    // Exchanges in flight, one per cache key (so one per caller token and scope set).
    private readonly ConcurrentDictionary<string, Lazy<Task<AccessToken>>> _flights = new(StringComparer.Ordinal);

    internal TokenExchangeManager(
        HybridCache cache, TokenEndpointClient tokenEndpoint, IOptionsMonitor<TokenClientOptions> options, TokenClientTelemetry telemetry, TimeProvider timeProvider)
    {
        _cache = cache;
        _tokenEndpoint = tokenEndpoint;
        _options = options;
        _telemetry = telemetry;
        _timeProvider = timeProvider;
    }

    /// <summary>A token of client <paramref name="clientName"/> acting for the caller whose token is <paramref name="subjectToken"/>.</summary>
    /// <exception cref="TokenAcquisitionException">The exchange was refused or the IdP could not be reached.</exception>
    public Task<AccessToken> ExchangeAsync(
        string clientName, string subjectToken, string? scope, string? audience, CancellationToken cancellationToken = default) =>
        GetCoreAsync(clientName, subjectToken, scope, audience, rejected: null, cancellationToken);

    /// <summary>A token other than <paramref name="rejected"/>, which the API answered with 401 <c>invalid_token</c>.</summary>
    /// <exception cref="TokenAcquisitionException">The exchange was refused or the IdP could not be reached.</exception>
    public Task<AccessToken> RenewAsync(
        string clientName, string subjectToken, string? scope, string? audience, AccessToken rejected, CancellationToken cancellationToken = default) =>
        GetCoreAsync(clientName, subjectToken, scope, audience, rejected.Value, cancellationToken);

    /// <summary>The cache key: names the caller token by its hash only, so no token is ever a key or a log field.</summary>
    internal string CacheKey(string clientName, string subjectToken, string? scope, string? audience) =>
        $"{TokenClientTelemetry.Name}:exchange:{clientName}:{_options.Get(clientName).ClientId}:{Hash(subjectToken)}:"
        + $"{ClientCredentialsTokenManager.NormalizeScope(scope)}:{audience}";

    /// <summary>The caller token's <c>exp</c>, read without validation (the resource server validated it); null when it is not a JWT.</summary>
    internal static DateTimeOffset? ExpiryOf(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
            using var json = JsonDocument.Parse(Convert.FromBase64String(payload));
            return json.RootElement.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    private async Task<AccessToken> GetCoreAsync(
        string clientName, string subjectToken, string? scope, string? audience, string? rejected, CancellationToken cancellationToken)
    {
        var key = CacheKey(clientName, subjectToken, scope, audience);
        var cached = await _cache.GetOrCreateAsync(key, static _ => ValueTask.FromResult<AccessToken?>(null), ReadOnly, cancellationToken: cancellationToken);
        if (IsFresh(cached, rejected))
        {
            _telemetry.CacheHit(clientName);
            return cached!;
        }

        Lazy<Task<AccessToken>>? flight = null;
        flight = new Lazy<Task<AccessToken>>(() => FetchAsync(clientName, subjectToken, scope, audience, key, rejected, flight!));
        // Shared by every caller with this token: one caller's cancellation must not cancel it.
        return await _flights.GetOrAdd(key, flight).Value.WaitAsync(cancellationToken);
    }

    private async Task<AccessToken> FetchAsync(
        string clientName, string subjectToken, string? scope, string? audience, string key, string? rejected, Lazy<Task<AccessToken>> self)
    {
        try
        {
            var cached = await _cache.GetOrCreateAsync(key, static _ => ValueTask.FromResult<AccessToken?>(null), ReadOnly);
            if (IsFresh(cached, rejected))
            {
                return cached!;
            }

            var token = await _tokenEndpoint.ExchangeTokenAsync(
                clientName, subjectToken, ClientCredentialsTokenManager.NormalizeScope(scope), audience, CancellationToken.None);

            // Never past the caller's own expiry; a caller token without a readable exp is used once, not cached.
            var subjectExpiry = ExpiryOf(subjectToken) ?? _timeProvider.GetUtcNow();
            var capped = token with
            {
                ExpiresAt = Min(token.ExpiresAt, subjectExpiry),
                RefreshAt = Min(token.RefreshAt, subjectExpiry),
            };
            var validFor = capped.RefreshAt - _timeProvider.GetUtcNow();
            if (validFor > TimeSpan.Zero)
            {
                var lifetime = new HybridCacheEntryOptions { Expiration = validFor, LocalCacheExpiration = validFor };
                await _cache.SetAsync(key, capped, lifetime);
            }

            return token;
        }
        finally
        {
            _flights.TryRemove(new KeyValuePair<string, Lazy<Task<AccessToken>>>(key, self));
        }
    }

    private bool IsFresh(AccessToken? token, string? rejected) =>
        token is not null && token.Value != rejected && _timeProvider.GetUtcNow() < token.RefreshAt;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static string Hash(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
