using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TokenClient;

/// <summary>
/// Speaks RFC 6749 §4.4 to a token endpoint: one POST per call, no caching (that is <see cref="ClientCredentialsTokenManager"/>'s job).
/// The token endpoint is given, or read from the authority's discovery document (again every <see cref="DiscoveryLifetime"/>),
/// which must name the authority as its issuer and a token endpoint on the authority's origin (RFC 8414 §3.3).
/// Answers are read up to <see cref="MaxResponseBytes"/>; redirects are never followed (see <c>AddTokenClient</c>).
/// </summary>
internal sealed partial class TokenEndpointClient(
    IHttpClientFactory httpClientFactory,
    IOptionsMonitor<TokenClientOptions> options,
    TokenClientTelemetry telemetry,
    TimeProvider timeProvider,
    ILogger<TokenEndpointClient> logger,
    IHostEnvironment? environment = null)
{
    /// <summary>The HttpClient for token and discovery requests; its resilience is set in <c>AddTokenClient</c>.</summary>
    public const string HttpClientName = "TokenClient.TokenEndpoint";

    /// <summary>A token or discovery answer is a few kilobytes; anything larger is refused before it is parsed.</summary>
    public const int MaxResponseBytes = 64 * 1024;

    /// <summary>How long a discovered token endpoint is used before the discovery document is read again.</summary>
    public static readonly TimeSpan DiscoveryLifetime = TimeSpan.FromMinutes(15);

    // A discovered endpoint is kept for DiscoveryLifetime; a failed discovery is dropped so the next call retries it.
    private readonly ConcurrentDictionary<string, Discovery> _discovered = new(StringComparer.Ordinal);

    public Task<AccessToken> RequestTokenAsync(string clientName, string scope, CancellationToken cancellationToken)
    {
        var form = new List<KeyValuePair<string, string>> { new("grant_type", "client_credentials") };
        if (scope.Length > 0)
        {
            form.Add(new("scope", scope));
        }

        return RequestAsync(clientName, scope, TokenClientTelemetry.StartAcquisition(clientName, scope), form, cancellationToken);
    }

    /// <summary>
    /// RFC 8693 token exchange: the client's own credentials plus <paramref name="subjectToken"/> (the access token its
    /// caller sent), for a token narrowed to <paramref name="scope"/> and, when given, <paramref name="audience"/>.
    /// </summary>
    public Task<AccessToken> ExchangeTokenAsync(
        string clientName, string subjectToken, string scope, string? audience, CancellationToken cancellationToken)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", TokenExchange.GrantType),
            new("subject_token", subjectToken),
            new("subject_token_type", TokenExchange.AccessTokenType),
            new("requested_token_type", TokenExchange.AccessTokenType),
        };
        if (scope.Length > 0)
        {
            form.Add(new("scope", scope));
        }

        if (!string.IsNullOrEmpty(audience))
        {
            form.Add(new("audience", audience));
        }

        return RequestAsync(clientName, scope, TokenClientTelemetry.StartExchange(clientName, scope, audience), form, cancellationToken);
    }

    private async Task<AccessToken> RequestAsync(
        string clientName, string scope, Activity? activity, List<KeyValuePair<string, string>> form, CancellationToken cancellationToken)
    {
        using var _ = activity;
        telemetry.TokenRequested(clientName);
        try
        {
            var token = await SendTokenRequestAsync(clientName, options.Get(clientName), form, scope, cancellationToken);
            activity?.SetTag("token_client.expires_at", token.ExpiresAt.ToString("O"));
            return token;
        }
        catch (TokenAcquisitionException ex)
        {
            var errorType = ex.Error ?? (ex.StatusCode is null ? "unreachable" : "invalid_response");
            telemetry.TokenFailed(clientName, errorType);
            activity?.SetStatus(ActivityStatusCode.Error, errorType);
            activity?.SetTag("error.type", errorType);
            LogTokenRequestFailed(logger, clientName, scope, ex.Error, ex.ErrorDescription, ex.InnerException?.Message);
            throw;
        }
    }

    private async Task<AccessToken> SendTokenRequestAsync(
        string clientName, TokenClientOptions client, List<KeyValuePair<string, string>> form, string scope, CancellationToken cancellationToken)
    {
        var endpoint = await GetTokenEndpointAsync(clientName, client, cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint);
        if (client.ClientAuthentication == ClientAuthentication.Basic)
        {
            // RFC 6749 §2.3.1: form-encode id and secret before Base64, or a secret containing ':' or '%' breaks.
            var credentials = $"{Uri.EscapeDataString(client.ClientId)}:{Uri.EscapeDataString(client.ClientSecret)}";
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        }
        else
        {
            form.Add(new("client_id", client.ClientId));
            form.Add(new("client_secret", client.ClientSecret));
        }

        request.Content = new FormUrlEncodedContent(form);

        var requestedAt = timeProvider.GetUtcNow();
        using var response = await SendAsync(clientName, request, cancellationToken);
        using var body = await ReadJsonAsync(clientName, response, cancellationToken);
        var json = body?.RootElement;

        if (!response.IsSuccessStatusCode)
        {
            var error = GetString(json, "error");
            var description = GetString(json, "error_description");
            throw new TokenAcquisitionException(clientName, error, description, response.StatusCode,
                $"The token endpoint refused a token to client '{clientName}' ({(int)response.StatusCode}): "
                + $"{error ?? "no error code"}{(description is null ? "" : $" ({description})")}.");
        }

        if (json is not { ValueKind: JsonValueKind.Object })
        {
            throw new TokenAcquisitionException(clientName, null, null, response.StatusCode,
                $"The token endpoint answered client '{clientName}' with a body that is not a JSON object.");
        }

        var value = GetString(json, "access_token");
        var tokenType = GetString(json, "token_type");
        if (string.IsNullOrEmpty(value) || !string.Equals(tokenType, "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            throw new TokenAcquisitionException(clientName, null, null, response.StatusCode,
                $"The token endpoint answered client '{clientName}' without a Bearer access_token.");
        }

        // RFC 6750 §2.1 b64token: anything else (a CR/LF above all) would be written into the Authorization header.
        if (!Bearer68().IsMatch(value))
        {
            throw new TokenAcquisitionException(clientName, null, null, response.StatusCode,
                $"The token endpoint answered client '{clientName}' with an access_token that is not a valid bearer token.");
        }

        return AccessToken.Create(value, GetString(json, "scope") ?? scope, requestedAt, GetLifetime(json));
    }

    /// <summary><c>expires_in</c> in seconds; some IdPs send it as a string ("3600"). Null when absent or unreadable.</summary>
    private static TimeSpan? GetLifetime(JsonElement? json)
    {
        if (json is not { ValueKind: JsonValueKind.Object } element || !element.TryGetProperty("expires_in", out var expiresIn))
        {
            return null;
        }

        var seconds = expiresIn.ValueKind switch
        {
            JsonValueKind.Number when expiresIn.TryGetInt64(out var number) => number,
            JsonValueKind.String when long.TryParse(expiresIn.GetString(), CultureInfo.InvariantCulture, out var text) => text,
            _ => (long?)null,
        };
        return seconds is > 0 and < int.MaxValue ? TimeSpan.FromSeconds(seconds.Value) : null;
    }

    private Task<Uri> GetTokenEndpointAsync(string clientName, TokenClientOptions client, CancellationToken cancellationToken)
    {
        if (TokenClientOptionsValidator.IsSet(client.TokenEndpoint))
        {
            return Task.FromResult(client.TokenEndpoint!);
        }

        // Shared by concurrent callers, so it must not observe any one caller's cancellation.
        var now = timeProvider.GetUtcNow();
        var discovery = _discovered.GetOrAdd(clientName, name => new Discovery(new Lazy<Task<Uri>>(() => DiscoverAsync(name, client)), now));
        if (now - discovery.StartedAt >= DiscoveryLifetime && discovery.Endpoint.Value.IsCompletedSuccessfully)
        {
            // Read again now and then: an IdP that moves its token endpoint is followed without a restart.
            var next = new Discovery(new Lazy<Task<Uri>>(() => DiscoverAsync(clientName, client)), now);
            discovery = _discovered.TryUpdate(clientName, next, discovery) ? next : _discovered.GetValueOrDefault(clientName, next);
        }

        return discovery.Endpoint.Value.WaitAsync(cancellationToken);
    }

    private sealed record Discovery(Lazy<Task<Uri>> Endpoint, DateTimeOffset StartedAt);

    private async Task<Uri> DiscoverAsync(string clientName, TokenClientOptions client)
    {
        try
        {
            var authority = client.Authority!.OriginalString.TrimEnd('/');
            var address = new Uri($"{authority}/.well-known/openid-configuration");
            using var request = new HttpRequestMessage(HttpMethod.Get, address);
            using var response = await SendAsync(clientName, request, CancellationToken.None);
            using var body = await ReadJsonAsync(clientName, response, CancellationToken.None);
            if (!response.IsSuccessStatusCode
                || !Uri.TryCreate(GetString(body?.RootElement, "token_endpoint"), UriKind.Absolute, out var endpoint))
            {
                throw new TokenAcquisitionException(clientName, null, null, response.StatusCode,
                    $"The discovery document at {address} ({(int)response.StatusCode}) gave client '{clientName}' no token_endpoint.");
            }

            // RFC 8414 §3.3: a document whose issuer is not the authority asked is not the authority's; the secret
            // must not follow it. The token endpoint must live on the authority's own origin for the same reason.
            if (GetString(body?.RootElement, "issuer")?.TrimEnd('/') != authority)
            {
                throw new TokenAcquisitionException(clientName, null, null, response.StatusCode,
                    $"The discovery document at {address} names another issuer than client '{clientName}''s authority.");
            }

            if (Uri.Compare(endpoint, client.Authority, UriComponents.SchemeAndServer, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) != 0)
            {
                throw new TokenAcquisitionException(clientName, null, null, response.StatusCode,
                    $"The discovery document at {address} names a token endpoint outside the authority's origin; client '{clientName}' refuses it.");
            }

            // The secret goes to this address: it must meet the same https rule as the configured one.
            if (endpoint.Scheme != Uri.UriSchemeHttps && client.HttpsRequired(environment?.IsDevelopment() ?? false))
            {
                throw new TokenAcquisitionException(clientName, null, null, response.StatusCode,
                    $"The discovery document at {address} names a token endpoint without https; client '{clientName}' requires https.");
            }

            return endpoint;
        }
        catch
        {
            _discovered.TryRemove(clientName, out _);
            throw;
        }
    }

    private async Task<HttpResponseMessage> SendAsync(string clientName, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            // Headers only: the body is read by ReadJsonAsync, never beyond MaxResponseBytes.
            return await httpClientFactory.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException or Polly.ExecutionRejectedException && !cancellationToken.IsCancellationRequested))
        {
            throw new TokenAcquisitionException(clientName, null, null, null,
                $"The identity provider could not be reached for client '{clientName}' ({request.RequestUri?.GetLeftPart(UriPartial.Path)}): {ex.Message}", ex);
        }
    }

    private static async Task<JsonDocument?> ReadJsonAsync(string clientName, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxResponseBytes + 1];
        var length = 0;
        try
        {
            if (response.Content.Headers.ContentLength is not > MaxResponseBytes)
            {
                await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
                int read;
                while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
                {
                    length += read;
                }
            }
            else
            {
                length = buffer.Length;
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new TokenAcquisitionException(clientName, null, null, response.StatusCode,
                $"The identity provider's answer to client '{clientName}' could not be read: {ex.Message}", ex);
        }

        if (length > MaxResponseBytes)
        {
            throw new TokenAcquisitionException(clientName, null, null, response.StatusCode,
                $"The identity provider answered client '{clientName}' with more than {MaxResponseBytes / 1024} KB; the answer was not read.");
        }

        try
        {
            return JsonDocument.Parse(buffer.AsMemory(0, length));
        }
        catch (JsonException)
        {
            return null; // A proxy's HTML error page: the status code says enough.
        }
    }

    [GeneratedRegex("^[A-Za-z0-9\\-._~+/]+=*\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Bearer68();

    private static string? GetString(JsonElement? json, string name) =>
        json is { ValueKind: JsonValueKind.Object } element && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Token request for client {ClientName} (scope '{Scope}') failed: error={Error} description={ErrorDescription} transport={TransportError}")]
    private static partial void LogTokenRequestFailed(
        ILogger logger, string clientName, string scope, string? error, string? errorDescription, string? transportError);
}
