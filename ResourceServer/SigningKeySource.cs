using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace ResourceServer;

/// <summary>
/// The issuer's discovery document and signing keys, read again every <see cref="ResourceServerOptions.KeyRefreshInterval"/>
/// and, rate-limited, when a token names an unknown <c>kid</c>. Replaces IdentityModel's configuration manager, whose
/// "last known good" configuration keeps a withdrawn key valid for an hour and whose automatic refresh is at least 5 minutes.
/// Keys that could not be refreshed for twice the interval are dropped: tokens are then refused, never checked against them.
/// </summary>
internal sealed partial class SigningKeySource : BaseConfigurationManager, IConfigurationManager<OpenIdConnectConfiguration>
{
    // After a failed read, the next request tries again only after this long, so an outage does not turn every request into one.
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    private readonly IDocumentRetriever _retriever;
    private readonly TimeProvider _time;
    private readonly TimeSpan _refreshInterval;
    private readonly TimeSpan _unknownKeyInterval;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile KeySet? _current;
    private long _refreshDueTicks;
    private long _unknownKeyRefreshTicks = long.MinValue;
    private long _version;
    private volatile bool _unknownKeyRequested;

    public SigningKeySource(string metadataAddress, HttpClient backchannel, bool requireHttps, TimeProvider time,
        TimeSpan refreshInterval, TimeSpan unknownKeyInterval, ILogger logger)
    {
        MetadataAddress = metadataAddress;
        // A configuration that once validated a token must not keep validating after its key left the JWKS.
        UseLastKnownGoodConfiguration = false;
        _retriever = new HttpDocumentRetriever(backchannel) { RequireHttps = requireHttps };
        _time = time;
        _refreshInterval = refreshInterval;
        _unknownKeyInterval = unknownKeyInterval;
        _logger = logger;
    }

    /// <summary>Raised when the published key set changed (a key added, withdrawn or replaced), or when stale keys were dropped.</summary>
    public event Action? KeysChanged;

    /// <summary>The key set in use, read again first when it is due. Throws when the issuer's keys cannot be had.</summary>
    public ValueTask<KeySet> GetKeySetAsync(CancellationToken cancellationToken)
    {
        var current = _current;
        return current is not null && _time.GetUtcNow().UtcTicks < Volatile.Read(ref _refreshDueTicks)
            ? ValueTask.FromResult(current)
            : new ValueTask<KeySet>(RefreshAsync(cancellationToken));
    }

    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel) =>
        (await GetKeySetAsync(cancel)).Configuration;

    public override async Task<BaseConfiguration> GetBaseConfigurationAsync(CancellationToken cancel) =>
        (await GetKeySetAsync(cancel)).Configuration;

    /// <summary>A token named an unknown key: read the keys again with the next request, at most once per interval.</summary>
    public override void RequestRefresh()
    {
        var now = _time.GetUtcNow().UtcTicks;
        var last = Volatile.Read(ref _unknownKeyRefreshTicks);
        if (last == long.MinValue || now - last >= _unknownKeyInterval.Ticks)
        {
            Volatile.Write(ref _unknownKeyRefreshTicks, now);
            _unknownKeyRequested = true;
            Volatile.Write(ref _refreshDueTicks, now);
        }
    }

    private async Task<KeySet> RefreshAsync(CancellationToken cancellationToken)
    {
        // While one request reads the keys, the others go on with the current ones (still within their bound); only a
        // request without usable keys, or one that named an unknown kid, waits for the read.
        var current = _current;
        var usable = current is not null && _time.GetUtcNow() - current.FetchedAt < 2 * _refreshInterval && !_unknownKeyRequested;
        if (!await _gate.WaitAsync(usable ? 0 : Timeout.Infinite, cancellationToken))
        {
            return current!;
        }

        try
        {
            var now = _time.GetUtcNow();
            if (_current is { } fresh && now.UtcTicks < Volatile.Read(ref _refreshDueTicks))
            {
                return fresh; // Another request refreshed while this one waited.
            }

            try
            {
                _unknownKeyRequested = false;
                var configuration = await OpenIdConnectConfigurationRetriever.GetAsync(MetadataAddress, _retriever, cancellationToken);
                Volatile.Write(ref _refreshDueTicks, (now + _refreshInterval).UtcTicks);
                return Apply(configuration, now);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Volatile.Write(ref _refreshDueTicks, (now + (RetryDelay < _refreshInterval ? RetryDelay : _refreshInterval)).UtcTicks);
                if (_current is { } kept && now - kept.FetchedAt < 2 * _refreshInterval)
                {
                    LogRefreshFailed(_logger, kept.FetchedAt, exception.GetType().Name);
                    return kept;
                }

                if (_current is not null)
                {
                    // No last-known-good: keys that cannot be confirmed any more may be withdrawn ones.
                    LogKeysDropped(_logger, _current.FetchedAt);
                    _current = null;
                    Interlocked.Increment(ref _version);
                    KeysChanged?.Invoke();
                }

                throw new InvalidOperationException($"The signing keys of {MetadataAddress} could not be read.", exception);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private KeySet Apply(OpenIdConnectConfiguration configuration, DateTimeOffset now)
    {
        var fingerprint = KeySet.FingerprintOf(configuration);
        var previous = _current;
        var changed = previous is null || previous.Fingerprint != fingerprint;
        var version = changed ? Interlocked.Increment(ref _version) : previous!.Version;
        var keySet = new KeySet(configuration, fingerprint, KeySet.AlgorithmsOf(configuration), now, version);
        _current = keySet;
        if (changed && previous is not null)
        {
            LogKeysChanged(_logger, configuration.SigningKeys.Count);
            KeysChanged?.Invoke();
        }

        return keySet;
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning,
        Message = "The issuer's signing keys could not be refreshed ({Failure}); those read at {FetchedAt:O} stay in use for now")]
    private static partial void LogRefreshFailed(ILogger logger, DateTimeOffset fetchedAt, string failure);

    [LoggerMessage(EventId = 11, Level = LogLevel.Error,
        Message = "The issuer's signing keys read at {FetchedAt:O} could not be refreshed for too long; tokens are refused until they can")]
    private static partial void LogKeysDropped(ILogger logger, DateTimeOffset fetchedAt);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information,
        Message = "The issuer's signing keys changed ({Count} keys now); validated tokens are checked again")]
    private static partial void LogKeysChanged(ILogger logger, int count);
}

/// <summary>One read of the issuer's keys: the configuration, what identifies the key set, each key's published algorithm.</summary>
internal sealed record KeySet(
    OpenIdConnectConfiguration Configuration,
    string Fingerprint,
    IReadOnlyDictionary<string, string> AlgorithmByKid,
    DateTimeOffset FetchedAt,
    long Version)
{
    public static string FingerprintOf(OpenIdConnectConfiguration configuration) =>
        configuration.JsonWebKeySet is { } set
            ? string.Join('\n', set.Keys.Select(k => $"{k.Kid} {k.Use} {k.Alg} {k.Kty} {k.N}{k.X}{k.Y}").Order(StringComparer.Ordinal))
            : string.Join('\n', configuration.SigningKeys.Select(k => k.KeyId).Order(StringComparer.Ordinal));

    /// <summary>RFC 8725 §3.1: a key is used with the one algorithm the JWKS publishes for it.</summary>
    public static IReadOnlyDictionary<string, string> AlgorithmsOf(OpenIdConnectConfiguration configuration) =>
        (configuration.JsonWebKeySet?.Keys ?? [])
            .Where(k => !string.IsNullOrEmpty(k.Kid) && !string.IsNullOrEmpty(k.Alg) && k.Use is null or "sig")
            .GroupBy(k => k.Kid, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Alg, StringComparer.Ordinal);
}
