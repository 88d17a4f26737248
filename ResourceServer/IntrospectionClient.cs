using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ResourceServer;

/// <summary>
/// Speaks RFC 7662 to the IdP: reads the issuer and the introspection endpoint from the discovery document once, then
/// one POST per call, authenticated as this API's client (<c>client_secret_basic</c>). No caching: that is
/// <see cref="TokenIntrospector"/>'s job. Every failure surfaces as <see cref="IdentityProviderUnavailableException"/>.
/// </summary>
internal sealed class IntrospectionClient(
    IHttpClientFactory httpClientFactory,
    IOptions<ResourceServerOptions> settings,
    IHostEnvironment environment)
{
    /// <summary>The HttpClient for discovery and introspection requests; its timeout is <c>Introspection:Timeout</c>.</summary>
    public const string HttpClientName = "ResourceServer.Introspection";

    // Read once and kept: a pending or successful load is shared, a failed one is replaced on the next call.
    private Task<IdentityProviderMetadata>? _metadata;

    public Task<IdentityProviderMetadata> GetMetadataAsync()
    {
        var current = Volatile.Read(ref _metadata);
        if (current is not null && (!current.IsCompleted || current.IsCompletedSuccessfully))
        {
            return current;
        }

        Interlocked.CompareExchange(ref _metadata, LoadMetadataAsync(), current);
        return Volatile.Read(ref _metadata)!;
    }

    /// <summary>The IdP's answer for <paramref name="token"/>: the JSON object of a 200 response.</summary>
    /// <exception cref="IdentityProviderUnavailableException">No usable answer.</exception>
    public async Task<JsonElement> IntrospectAsync(string token, IdentityProviderMetadata metadata)
    {
        var introspection = settings.Value.Introspection;
        var clientId = introspection.ClientId ?? settings.Value.Audience;
        using var request = new HttpRequestMessage(HttpMethod.Post, metadata.IntrospectionEndpoint)
        {
            Content = new FormUrlEncodedContent([new("token", token), new("token_type_hint", "access_token")]),
        };
        // RFC 6749 §2.3.1: form-encode id and secret before Base64, or a secret containing ':' or '%' breaks.
        var credentials = $"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(introspection.ClientSecret)}";
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));

        try
        {
            // The caller's request waits on this call, so it is never cancelled by one caller: it is shared, and bounded by the timeout.
            using var response = await CreateClient().SendAsync(request, CancellationToken.None);
            if (!response.IsSuccessStatusCode)
            {
                throw new IdentityProviderUnavailableException(response.StatusCode is System.Net.HttpStatusCode.Unauthorized
                    ? $"The introspection endpoint rejected this API's credentials (client '{clientId}'): 401"
                    : $"The introspection endpoint answered {(int)response.StatusCode}");
            }

            using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(CancellationToken.None));
            return json.RootElement.ValueKind == JsonValueKind.Object
                ? json.RootElement.Clone()
                : throw new IdentityProviderUnavailableException("The introspection endpoint answered something other than a JSON object");
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or JsonException)
        {
            throw new IdentityProviderUnavailableException($"The introspection endpoint cannot be reached ({exception.GetType().Name})", exception);
        }
    }

    private async Task<IdentityProviderMetadata> LoadMetadataAsync()
    {
        var resourceServer = settings.Value;
        var discovery = new Uri(resourceServer.Authority!.OriginalString.TrimEnd('/') + "/.well-known/openid-configuration");
        try
        {
            using var response = await CreateClient().GetAsync(discovery, CancellationToken.None);
            if (!response.IsSuccessStatusCode)
            {
                throw new IdentityProviderUnavailableException($"The discovery document answered {(int)response.StatusCode}");
            }

            using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(CancellationToken.None));
            var issuer = json.RootElement.TryGetProperty("issuer", out var iss) && iss.ValueKind == JsonValueKind.String ? iss.GetString() : null;
            var endpoint = resourceServer.Introspection.Endpoint
                ?? (json.RootElement.TryGetProperty("introspection_endpoint", out var e) && e.ValueKind == JsonValueKind.String
                    && Uri.TryCreate(e.GetString(), UriKind.Absolute, out var discovered) ? discovered : null);
            if (string.IsNullOrEmpty(issuer) || endpoint is null)
            {
                throw new IdentityProviderUnavailableException("The discovery document names no issuer or no introspection endpoint");
            }

            // The client secret and every token travel to this endpoint: https, as for the metadata itself.
            if (endpoint.Scheme != Uri.UriSchemeHttps && (resourceServer.RequireHttpsMetadata ?? !environment.IsDevelopment()))
            {
                throw new IdentityProviderUnavailableException("The discovered introspection endpoint does not use https");
            }

            return new IdentityProviderMetadata(issuer, endpoint);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or JsonException)
        {
            throw new IdentityProviderUnavailableException($"The discovery document cannot be read ({exception.GetType().Name})", exception);
        }
    }

    private HttpClient CreateClient() => httpClientFactory.CreateClient(HttpClientName);
}

/// <summary>What introspection needs from the discovery document.</summary>
internal sealed record IdentityProviderMetadata(string Issuer, Uri IntrospectionEndpoint);
