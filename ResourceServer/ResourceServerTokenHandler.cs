using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ResourceServer;

/// <summary>
/// The token handler JwtBearer uses: <see cref="JsonWebTokenHandler"/> plus the checks it does not make
/// (size before parsing, unknown <c>crit</c> headers, an array-valued <c>scope</c>), an optional cache of
/// tokens that passed, and one log line per rejection that says why without ever containing the token.
/// </summary>
internal sealed partial class ResourceServerTokenHandler : TokenHandler
{
    private readonly JsonWebTokenHandler _inner;
    private readonly ValidatedTokenCache? _cache;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _maxTokenSize;
    private readonly TimeSpan _maxLifetime;
    private readonly TimeSpan _clockSkew;

    public ResourceServerTokenHandler(ResourceServerOptions settings, ValidatedTokenCache? cache, TimeProvider time, ILogger logger)
    {
        _maxTokenSize = settings.MaxTokenSize;
        _maxLifetime = settings.MaxTokenLifetime;
        _clockSkew = settings.ClockSkew;
        _cache = cache;
        _time = time;
        _logger = logger;
        _inner = new JsonWebTokenHandler { MapInboundClaims = false, MaximumTokenSizeInBytes = _maxTokenSize };
        MaximumTokenSizeInBytes = _maxTokenSize;
    }

    public override Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters) =>
        ValidateTokenAsync(token, validationParameters, cloneOnMiss: false);

    /// <summary>
    /// With <paramref name="cloneOnMiss"/>, <paramref name="validationParameters"/> may be shared by all requests: a cache hit
    /// reads it only, and a full validation gets its own copy (the library writes to the parameters it is given).
    /// </summary>
    public async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters, bool cloneOnMiss)
    {
        if (token.Length > _maxTokenSize)
        {
            return Reject(token, new TokenRejectedException($"The token is larger than {_maxTokenSize} characters"));
        }

        // Read first (again, when due): a changed key set empties the cache before it is asked.
        KeySet? keys = null;
        if (validationParameters.ConfigurationManager is SigningKeySource source)
        {
            try
            {
                keys = await source.GetKeySetAsync(CancellationToken.None);
            }
            catch (InvalidOperationException exception)
            {
                return Reject(token, new TokenRejectedException("The issuer's signing keys cannot be read", exception));
            }
        }

        var version = keys?.Version ?? 0;
        var cacheKey = _cache is null ? null : ValidatedTokenCache.KeyOf(token);
        if (cacheKey is not null && _cache!.TryGet(cacheKey, version, out var cached))
        {
            return cached;
        }

        TokenValidationResult result;
        try
        {
            result = await _inner.ValidateTokenAsync(token, cloneOnMiss ? validationParameters.Clone() : validationParameters);
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or SecurityTokenException)
        {
            // The handler reports most failures in the result, a few by throwing: both are a bad token, never a 500.
            return Reject(token, exception);
        }

        if (!result.IsValid)
        {
            return Reject(token, result.Exception ?? new SecurityTokenValidationException("The token is invalid"));
        }

        // An unknown kid may have refreshed the keys during validation: judge the algorithm by the newest read.
        if (validationParameters.ConfigurationManager is SigningKeySource refreshed)
        {
            keys = await refreshed.GetKeySetAsync(CancellationToken.None);
        }

        if (CheckBeyondTheLibrary((JsonWebToken)result.SecurityToken, keys) is { } rejection)
        {
            return Reject(token, rejection);
        }

        if (cacheKey is not null && (keys?.Version ?? 0) == version)
        {
            _cache!.Add(cacheKey, result, version);
        }

        return result;
    }

    /// <summary>The version of the key set in use (read again first when due); null when the issuer's keys cannot be read.</summary>
    public async ValueTask<long?> KeySetVersionAsync(TokenValidationParameters validationParameters)
    {
        if (validationParameters.ConfigurationManager is not SigningKeySource source)
        {
            return 0;
        }

        try
        {
            return (await source.GetKeySetAsync(CancellationToken.None)).Version;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>A cache hit for exactly these characters under key set <paramref name="keySetVersion"/>, without copying the token.</summary>
    public bool TryGetCached(ReadOnlySpan<char> token, long keySetVersion, out TokenValidationResult result)
    {
        if (_cache is not null && token.Length <= _maxTokenSize)
        {
            return _cache.TryGet(ValidatedTokenCache.KeyOf(token), keySetVersion, out result);
        }

        result = null!;
        return false;
    }

    private TokenRejectedException? CheckBeyondTheLibrary(JsonWebToken jwt, KeySet? keys)
    {
        // RFC 7515 §4.1.11: a recipient must reject a token whose critical extensions it does not understand; we understand none.
        if (jwt.TryGetHeaderValue<object>("crit", out _))
        {
            return new TokenRejectedException("The token lists critical header extensions this service does not support");
        }

        // RFC 8725 §3.1: one key, one algorithm; the JWKS says which.
        if (keys is not null && jwt.Kid is { } kid && keys.AlgorithmByKid.TryGetValue(kid, out var published) && published != jwt.Alg)
        {
            return new TokenRejectedException("The signing algorithm is not the one published for the key");
        }

        // RFC 8693 §4.2 / RFC 9068: scope is one space-separated string; an array would defeat exact parsing.
        if (jwt.TryGetPayloadValue<object>(Scopes.ClaimType, out var scope) && scope is not string)
        {
            return new TokenRejectedException("The scope claim must be a space-separated string");
        }

        try
        {
            return TokenClaimRules.Check(jwt, _maxLifetime, _clockSkew, _time.GetUtcNow());
        }
        catch (System.Text.Json.JsonException)
        {
            return new TokenRejectedException("The token is malformed");
        }
    }

    private TokenValidationResult Reject(string token, Exception exception)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            var (kid, issuer, audience, clientId) = DescribeUnverified(token);
            LogRejected(_logger, BearerChallenge.Describe(exception), exception.GetType().Name, kid, issuer, audience, clientId);
        }

        return new TokenValidationResult { IsValid = false, Exception = exception };
    }

    /// <summary>What the token claims to be, read without trusting it and cut short: for the log, never for decisions.</summary>
    private (string? Kid, string? Issuer, string? Audience, string? ClientId) DescribeUnverified(string token)
    {
        if (token.Length > _maxTokenSize || !_inner.CanReadToken(token))
        {
            return default;
        }

        try
        {
            var jwt = _inner.ReadJsonWebToken(token);
            return (Cut(jwt.Kid), Cut(jwt.Issuer), Cut(string.Join(' ', jwt.Audiences)),
                Cut(jwt.TryGetPayloadValue<string>("client_id", out var clientId) ? clientId : null));
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or SecurityTokenException)
        {
            return default;
        }

        // Attacker-chosen text: short, and without line breaks that could forge log lines.
        static string? Cut(string? value) => value is null
            ? null
            : string.Concat(value.Take(100).Select(c => char.IsControl(c) ? '?' : c)) + (value.Length > 100 ? "…" : "");
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Bearer token rejected: {Reason} ({Failure}); kid={Kid} iss={Issuer} aud={Audience} client_id={ClientId}")]
    private static partial void LogRejected(ILogger logger, string reason, string failure,
        string? kid, string? issuer, string? audience, string? clientId);
}
