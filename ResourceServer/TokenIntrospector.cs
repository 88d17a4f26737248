using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ResourceServer;

/// <summary>
/// Decides a token by introspection, remembering each answer by the SHA-256 of the token: an accepted token until the
/// earlier of its <c>exp</c> and <c>Introspection:CacheDuration</c>, a rejected one for <c>Introspection:InactiveCacheDuration</c>,
/// an unreachable IdP never. Concurrent requests with the same token share one call to the IdP.
/// </summary>
internal sealed partial class TokenIntrospector : IDisposable
{
    private readonly IntrospectionClient _client;
    private readonly ResourceServerOptions _settings;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly MemoryCache? _cache;

    // Introspection calls in flight, one per token hash: the single-flight gate.
    private readonly ConcurrentDictionary<string, Lazy<Task<IntrospectionOutcome>>> _flights = new(StringComparer.Ordinal);

    public TokenIntrospector(IntrospectionClient client, IOptions<ResourceServerOptions> settings, TimeProvider timeProvider, ILogger<TokenIntrospector> logger)
    {
        _client = client;
        _settings = settings.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        if (_settings.TokenCacheSize > 0 && _settings.Introspection.CacheDuration > TimeSpan.Zero)
        {
            // A full cache drops new entries instead of growing: those tokens are simply introspected every time.
            _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = _settings.TokenCacheSize });
        }
    }

    public async Task<IntrospectionOutcome> IntrospectAsync(string token, CancellationToken cancellationToken)
    {
        // Checked before anything is sent: a token the IdP cannot have issued costs no call.
        if (token.Length > _settings.MaxTokenSize)
        {
            return Rejected($"The token is larger than {_settings.MaxTokenSize} characters");
        }

        if (!IsBearerTokenSyntax(token))
        {
            return Rejected("The token is malformed");
        }

        if (_cache is null)
        {
            return await LookUpAsync(token);
        }

        var key = ValidatedTokenCache.KeyOf(token);
        if (TryGetCached(key, out var cached))
        {
            return cached;
        }

        Lazy<Task<IntrospectionOutcome>>? flight = null;
        flight = new Lazy<Task<IntrospectionOutcome>>(() => LookUpAndRememberAsync(token, key, flight!));
        // The flight is shared, so one caller's cancellation must not cancel it: each caller stops waiting on its own.
        return await _flights.GetOrAdd(key, flight).Value.WaitAsync(cancellationToken);
    }

    public void Dispose() => _cache?.Dispose();

    /// <summary>RFC 6750 §2.1 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".</summary>
    internal static bool IsBearerTokenSyntax(string token)
    {
        var end = token.Length;
        while (end > 0 && token[end - 1] == '=')
        {
            end--;
        }

        return end > 0 && token.AsSpan(0, end).IndexOfAnyExcept(BearerTokenCharacters) < 0;
    }

    private static readonly System.Buffers.SearchValues<char> BearerTokenCharacters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/");

    private bool TryGetCached(string key, out IntrospectionOutcome outcome)
    {
        // Checked against the clock here as well as by the cache's own expiry, so a hit never outlives its entry.
        if (_cache!.TryGetValue(key, out Entry? entry) && entry is not null && _timeProvider.GetUtcNow() < entry.Until)
        {
            outcome = entry.Outcome;
            return true;
        }

        outcome = null!;
        return false;
    }

    private async Task<IntrospectionOutcome> LookUpAndRememberAsync(string token, string key, Lazy<Task<IntrospectionOutcome>> self)
    {
        try
        {
            // A flight that finished just before this one started may already have stored the answer.
            if (TryGetCached(key, out var cached))
            {
                return cached;
            }

            var outcome = await LookUpAsync(token);
            var now = _timeProvider.GetUtcNow();
            var until = outcome switch
            {
                IntrospectionOutcome.Accepted accepted => Min(accepted.Expires, now + _settings.Introspection.CacheDuration),
                IntrospectionOutcome.Rejected => now + _settings.Introspection.InactiveCacheDuration,
                // The IdP may be back for the next request: an outage is never remembered.
                _ => now,
            };
            if (until > now)
            {
                _cache!.Set(key, new Entry(outcome, until), new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = until });
            }

            return outcome;
        }
        finally
        {
            _flights.TryRemove(new KeyValuePair<string, Lazy<Task<IntrospectionOutcome>>>(key, self));
        }
    }

    private async Task<IntrospectionOutcome> LookUpAsync(string token)
    {
        try
        {
            var metadata = await _client.GetMetadataAsync();
            var answer = await _client.IntrospectAsync(token, metadata);
            var (identity, expires, rejection) = IntrospectionResponse.Validate(answer, _settings, metadata.Issuer, _timeProvider.GetUtcNow());
            if (rejection is not null)
            {
                LogRejected(_logger, rejection.Message, IntrospectionResponse.ClientIdOf(answer));
                return new IntrospectionOutcome.Rejected(rejection);
            }

            return new IntrospectionOutcome.Accepted(identity!, expires);
        }
        catch (Exception exception)
        {
            // Whatever went wrong on the way to an answer, the token is undecided: 503, never 500.
            var unavailable = exception as IdentityProviderUnavailableException
                ?? new IdentityProviderUnavailableException($"Token introspection failed ({exception.GetType().Name})", exception);
            LogUnavailable(_logger, unavailable.Message, unavailable.InnerException?.Message);
            return new IntrospectionOutcome.Unavailable(unavailable);
        }
    }

    private IntrospectionOutcome.Rejected Rejected(string reason)
    {
        LogRejected(_logger, reason, clientId: null);
        return new IntrospectionOutcome.Rejected(new TokenRejectedException(reason));
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private sealed record Entry(IntrospectionOutcome Outcome, DateTimeOffset Until);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Bearer token rejected by introspection: {Reason}; client_id={ClientId}")]
    private static partial void LogRejected(ILogger logger, string reason, string? clientId);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Token introspection failed: {Failure} {Detail}; answering 503")]
    private static partial void LogUnavailable(ILogger logger, string failure, string? detail);
}
