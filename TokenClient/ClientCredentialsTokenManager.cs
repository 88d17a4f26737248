using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TokenClient;

/// <summary>
/// Gives out client-credentials access tokens, cached per (client, scope set) in <see cref="HybridCache"/>.
/// A token is reused until its refresh point (the smaller of 60 s and 20% of its lifetime before expiry); from then
/// until it expires it is still handed out while one background request fetches the next. Concurrent callers on a
/// cold or expiring cache share one token request; a failed request is never cached.
/// </summary>
public sealed partial class ClientCredentialsTokenManager
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
    private readonly ILogger<ClientCredentialsTokenManager> _logger;

    // Token requests in flight, one per cache key: the single-flight gate.
    private readonly ConcurrentDictionary<string, Lazy<Task<AccessToken>>> _flights = new(StringComparer.Ordinal);

    internal ClientCredentialsTokenManager(
        HybridCache cache,
        TokenEndpointClient tokenEndpoint,
        IOptionsMonitor<TokenClientOptions> options,
        TokenClientTelemetry telemetry,
        TimeProvider timeProvider,
        ILogger<ClientCredentialsTokenManager> logger)
    {
        _cache = cache;
        _tokenEndpoint = tokenEndpoint;
        _options = options;
        _telemetry = telemetry;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>A token of client <paramref name="clientName"/> for <paramref name="scope"/> (the client's configured scope when null).</summary>
    /// <exception cref="TokenAcquisitionException">No token could be had.</exception>
    public Task<AccessToken> GetTokenAsync(string clientName, string? scope = null, CancellationToken cancellationToken = default) =>
        GetCoreAsync(clientName, scope, rejected: null, cancellationToken);

    /// <summary>
    /// A token other than <paramref name="rejected"/>, which an API answered with 401 <c>invalid_token</c>.
    /// Concurrent renewals of the same rejected token share one token request.
    /// </summary>
    /// <exception cref="TokenAcquisitionException">No token could be had.</exception>
    public async Task<AccessToken> RenewTokenAsync(
        string clientName, string? scope, AccessToken rejected, CancellationToken cancellationToken = default)
    {
        var token = await GetCoreAsync(clientName, scope, rejected.Value, cancellationToken);
        // A flight started by a caller that did not know the token was rejected may hand it back once: ask again.
        return token.Value == rejected.Value
            ? await GetCoreAsync(clientName, scope, rejected.Value, cancellationToken)
            : token;
    }

    /// <summary>
    /// The cache key: client name, client id and the IdP asked (so a changed id or authority never gets an old token,
    /// and two clients sharing a distributed cache never get each other's) and the sorted scope set.
    /// </summary>
    internal string CacheKey(string clientName, string? scope)
    {
        var client = _options.Get(clientName);
        var issuer = TokenClientOptionsValidator.IsSet(client.Authority) ? client.Authority!.OriginalString : client.TokenEndpoint?.OriginalString;
        return $"{TokenClientTelemetry.Name}:{clientName}:{client.ClientId}@{issuer}:{NormalizeScope(scope ?? client.Scope)}";
    }

    /// <summary>"b a  a" and "a b" are the same scope set, so they share a token.</summary>
    internal static string NormalizeScope(string? scope) =>
        string.Join(' ', (scope ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));

    private async Task<AccessToken> GetCoreAsync(string clientName, string? scope, string? rejected, CancellationToken cancellationToken)
    {
        var key = CacheKey(clientName, scope);
        var cached = await ProbeAsync(key, cancellationToken);
        if (IsFresh(cached, rejected))
        {
            _telemetry.CacheHit(clientName);
            return cached;
        }

        var flight = JoinOrStartFlight(clientName, scope, key, rejected);
        if (cached is not null && cached.Value != rejected && _timeProvider.GetUtcNow() < cached.ExpiresAt)
        {
            // Past its refresh point but still valid: the refresh runs in the background and nobody waits for it.
            _ = flight.ContinueWith(static task => _ = task.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            _telemetry.CacheHit(clientName);
            return cached;
        }

        // The flight is shared, so one caller's cancellation must not cancel it: each caller stops waiting on its own.
        return await flight.WaitAsync(cancellationToken);
    }

    /// <summary>The token request in flight for this cache key, if any (tests wait on it).</summary>
    internal Task? InFlight(string clientName, string? scope) =>
        _flights.TryGetValue(CacheKey(clientName, scope), out var flight) ? flight.Value : null;

    private Task<AccessToken> JoinOrStartFlight(string clientName, string? scope, string key, string? rejected)
    {
        Lazy<Task<AccessToken>>? flight = null;
        flight = new Lazy<Task<AccessToken>>(() => FetchAsync(clientName, scope, key, rejected, flight!));
        return _flights.GetOrAdd(key, flight).Value;
    }

    private async Task<AccessToken> FetchAsync(
        string clientName, string? scope, string key, string? rejected, Lazy<Task<AccessToken>> self)
    {
        try
        {
            // A flight that finished just before this one started may already have stored a fresh token.
            var cached = await ProbeAsync(key, CancellationToken.None);
            if (IsFresh(cached, rejected))
            {
                return cached;
            }

            if (cached is not null && cached.Value == rejected)
            {
                cached = null;
                await _cache.RemoveAsync(key, CancellationToken.None);
            }

            try
            {
                var token = await _tokenEndpoint.RequestTokenAsync(
                    clientName, NormalizeScope(scope ?? _options.Get(clientName).Scope), CancellationToken.None);
                var validFor = token.ExpiresAt - _timeProvider.GetUtcNow();
                if (validFor > TimeSpan.Zero)
                {
                    // Kept for the token's whole lifetime; whether it is still fresh is decided on read, against TimeProvider.
                    var lifetime = new HybridCacheEntryOptions { Expiration = validFor, LocalCacheExpiration = validFor };
                    await _cache.SetAsync(key, token, lifetime, cancellationToken: CancellationToken.None);
                }

                return token;
            }
            catch (TokenAcquisitionException ex) when (cached is not null && _timeProvider.GetUtcNow() < cached.ExpiresAt)
            {
                // Past the refresh point but not expired: an IdP outage should not fail calls the old token still covers.
                LogServingStaleToken(_logger, clientName, cached.ExpiresAt, ex.Error);
                return cached;
            }
        }
        finally
        {
            _flights.TryRemove(new KeyValuePair<string, Lazy<Task<AccessToken>>>(key, self));
        }
    }

    private ValueTask<AccessToken?> ProbeAsync(string key, CancellationToken cancellationToken) =>
        _cache.GetOrCreateAsync(key, static _ => ValueTask.FromResult<AccessToken?>(null), ReadOnly, cancellationToken: cancellationToken);

    private bool IsFresh([NotNullWhen(true)] AccessToken? token, string? rejected) =>
        token is not null && token.Value != rejected && _timeProvider.GetUtcNow() < token.RefreshAt;

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Token refresh for client {ClientName} failed ({Error}); using the cached token until it expires at {ExpiresAt:O}")]
    private static partial void LogServingStaleToken(ILogger logger, string clientName, DateTimeOffset expiresAt, string? error);
}
