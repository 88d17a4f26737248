using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TokenClient;

/// <summary>
/// Speaks RFC 6749 §4.4 to a token endpoint: one POST per call, no caching (that is <see cref="ClientCredentialsTokenManager"/>'s job).
/// The token endpoint is given, or read once from the authority's discovery document.
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

    // A discovered endpoint is kept for the process lifetime; a failed discovery is dropped so the next call retries it.
    private readonly ConcurrentDictionary<string, Lazy<Task<Uri>>> _discovered = new(StringComparer.Ordinal);

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
        using var body = await ReadJsonAsync(response, cancellationToken);
        var json = body?.RootElement;

        if (!response.IsSuccessStatusCode)
        {
            var error = GetString(json, "error");
            var description = GetString(json, "error_description");
            throw new TokenAcquisitionException(clientName, error, description, response.StatusCode,
                $"The token endpoint refused a token to client '{clientName}' ({(int)response.StatusCode}): "
                + $"{error ?? "no error code"}{(description is null ? "" : $" ({description})")}.");
        }

        var value = GetString(json, "access_token");
        var tokenType = GetString(json, "token_type");
        if (string.IsNullOrEmpty(value) || !string.Equals(tokenType, "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            throw new TokenAcquisitionException(clientName, null, null, response.StatusCode,
                $"The token endpoint answered client '{clientName}' without a Bearer access_token.");
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
        var discovery = _discovered.GetOrAdd(clientName, name => new Lazy<Task<Uri>>(() => DiscoverAsync(name, client)));
        return discovery.Value.WaitAsync(cancellationToken);
    }

    private async Task<Uri> DiscoverAsync(string clientName, TokenClientOptions client)
    {
        try
        {
            var address = new Uri($"{client.Authority!.OriginalString.TrimEnd('/')}/.well-known/openid-configuration");
            using var request = new HttpRequestMessage(HttpMethod.Get, address);
            using var response = await SendAsync(clientName, request, CancellationToken.None);
            using var body = await ReadJsonAsync(response, CancellationToken.None);
            if (!response.IsSuccessStatusCode
                || !Uri.TryCreate(GetString(body?.RootElement, "token_endpoint"), UriKind.Absolute, out var endpoint))
            {
                throw new TokenAcquisitionException(clientName, null, null, response.StatusCode,
                    $"The discovery document at {address} ({(int)response.StatusCode}) gave client '{clientName}' no token_endpoint.");
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
            return await httpClientFactory.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException or Polly.ExecutionRejectedException && !cancellationToken.IsCancellationRequested))
        {
            throw new TokenAcquisitionException(clientName, null, null, null,
                $"The identity provider could not be reached for client '{clientName}' ({request.RequestUri?.GetLeftPart(UriPartial.Path)}): {ex.Message}", ex);
        }
    }

    private static async Task<JsonDocument?> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        }
        catch (JsonException)
        {
            return null; // A proxy's HTML error page: the status code says enough.
        }
    }

    private static string? GetString(JsonElement? json, string name) =>
        json is { ValueKind: JsonValueKind.Object } element && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Token request for client {ClientName} (scope '{Scope}') failed: error={Error} description={ErrorDescription} transport={TransportError}")]
    private static partial void LogTokenRequestFailed(
        ILogger logger, string clientName, string scope, string? error, string? errorDescription, string? transportError);
}
