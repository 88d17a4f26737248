using System.Security.Cryptography;
using System.Text;
using EmbeddedIdp.Realm;
using OpenIddict.Abstractions;

namespace EmbeddedIdp.Server;

/// <summary>What Keycloak's client-secret authenticator concludes about a request's client credentials.</summary>
public enum ClientAuthenticationResult
{
    Authenticated,

    /// <summary>No client_id at all, an unknown client or a disabled one: Keycloak's <c>CLIENT_NOT_FOUND</c>/<c>CLIENT_DISABLED</c>.</summary>
    NoSuchClient,

    /// <summary>A known client with a missing or wrong secret.</summary>
    BadSecret,
}

/// <summary>
/// Keycloak's <c>ClientIdAndSecretAuthenticator</c> over the realm: client_id and client_secret (OpenIddict has already
/// merged a Basic header into them), checked in constant time against the realm's resolved secrets.
/// </summary>
public static class ClientAuthentication
{
    public static ClientAuthenticationResult Authenticate(RealmModel realm, OpenIddictRequest request, out RealmClient? client)
    {
        client = realm.FindClient(request.ClientId);
        if (client is not { Enabled: true })
        {
            client = null;
            return ClientAuthenticationResult.NoSuchClient;
        }

        return request.ClientSecret is { } secret && SameSecret(secret, client.Secret)
            ? ClientAuthenticationResult.Authenticated
            : ClientAuthenticationResult.BadSecret;
    }

    // Hashing both sides first makes the comparison constant-time whatever the lengths.
    private static bool SameSecret(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
