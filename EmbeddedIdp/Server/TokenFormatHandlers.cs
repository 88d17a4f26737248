using EmbeddedIdp.Keys;
using EmbeddedIdp.Realm;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace EmbeddedIdp.Server;

/// <summary>
/// Keycloak's access-token format on top of OpenIddict: header <c>typ: JWT</c> (OpenIddict writes <c>at+jwt</c>),
/// only Keycloak's claims (no <c>oi_*</c> private claims), and <c>jti</c> = Keycloak's prefix + the id of OpenIddict's token entry,
/// which is how introspection and revocation find the entry again without a private claim in the token.
/// </summary>
public static class TokenFormatHandlers
{
    public static IEnumerable<OpenIddictServerHandlerDescriptor> All =>
        [WriteKeycloakAccessToken.Descriptor, AcceptKeycloakAccessTokens.Descriptor, RestoreTokenIdentity.Descriptor, PublishCurrentSigningKeys.Descriptor,
         AttachIssuerToDiscovery.Descriptor, AttachIssuerToIntrospection.Descriptor];

    /// <summary>Writes the access token after OpenIddict created its database entry, so OpenIddict's own writer is skipped.</summary>
    public sealed class WriteKeycloakAccessToken(SigningKeyStore keys, Issuer issuer, RealmModel realm) : IOpenIddictServerHandler<GenerateTokenContext>
    {
        // OpenIddict's shared handler would add "nbf", which Keycloak tokens do not carry.
        private static readonly JsonWebTokenHandler Writer = new() { SetDefaultTimesOnTokenCreation = false };

        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<GenerateTokenContext>()
                .UseSingletonHandler<WriteKeycloakAccessToken>()
                .SetOrder(OpenIddictServerHandlers.Protection.CreateTokenEntry.Descriptor.Order + 500)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(GenerateTokenContext context)
        {
            if (context.TokenType is not TokenTypeIdentifiers.AccessToken || !string.IsNullOrEmpty(context.Token))
            {
                return default;
            }

            var principal = context.Principal;
            var (issuedAt, expiresAt) = KeycloakClaims.Lifetime(principal);
            var claims = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                [Claims.ExpiresAt] = expiresAt,
                [Claims.IssuedAt] = issuedAt,
                [Claims.JwtId] = KeycloakClaims.JwtId(
                    principal.GetTokenId() ?? Guid.NewGuid().ToString(),
                    lightweight: realm.FindClient(principal.GetClaim(Claims.AuthorizedParty)) is { LightweightAccessTokens: true },
                    grant: context.Request?.IsTokenExchangeGrantType() == true ? "te" : "cc"),
                [Claims.Issuer] = issuer.For(context.BaseUri),
            };

            var audiences = principal.GetAudiences();
            if (audiences.Length > 0)
            {
                claims[Claims.Audience] = audiences.Length == 1 ? audiences[0] : audiences.ToArray();
            }

            foreach (var type in (string[])[Claims.Subject, KeycloakClaims.TokenType, Claims.AuthorizedParty, Claims.ClientId, Claims.PreferredUsername])
            {
                if (principal.GetClaim(type) is { } value)
                {
                    claims[type] = value;
                }
            }

            var scopes = principal.GetScopes();
            if (scopes.Length > 0)
            {
                claims[Claims.Scope] = string.Join(' ', scopes);
            }

            context.Token = Writer.CreateToken(new SecurityTokenDescriptor
            {
                Claims = claims,
                SigningCredentials = new SigningCredentials(keys.Active, SecurityAlgorithms.RsaSha256),
                TokenType = KeycloakClaims.JwtHeaderType,
            });
            return default;
        }
    }

    /// <summary>Lets OpenIddict validate its own tokens again: header <c>typ: JWT</c>, the resolved issuer, the keys the store holds now.</summary>
    public sealed class AcceptKeycloakAccessTokens(Issuer issuer, SigningKeyStore keys) : IOpenIddictServerHandler<ValidateTokenContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
                .UseSingletonHandler<AcceptKeycloakAccessTokens>()
                .SetOrder(OpenIddictServerHandlers.Protection.ResolveTokenValidationParameters.Descriptor.Order + 500)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ValidateTokenContext context)
        {
            var parameters = context.TokenValidationParameters;
            if (parameters.ValidTypes is { } types && types.Contains(JsonWebTokenTypes.AccessToken) && !types.Contains(KeycloakClaims.JwtHeaderType))
            {
                parameters.ValidTypes = [.. types, KeycloakClaims.JwtHeaderType];
            }

            parameters.ValidIssuers = [issuer.For(context.BaseUri)];
            parameters.ValidateIssuer = true;
            // A withdrawn key no longer verifies; a key rotated in at runtime does.
            parameters.IssuerSigningKeys = keys.Keys;
            parameters.IssuerSigningKeyResolver = null;
            return default;
        }
    }

    /// <summary>A <c>typ: JWT</c> token whose payload says <c>typ: Bearer</c> is our access token; its <c>jti</c> names its entry.</summary>
    public sealed class RestoreTokenIdentity : IOpenIddictServerHandler<ValidateTokenContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
                .UseSingletonHandler<RestoreTokenIdentity>()
                .SetOrder(OpenIddictServerHandlers.Protection.MapInternalClaims.Descriptor.Order + 500)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ValidateTokenContext context)
        {
            if (context.Principal is not { } principal)
            {
                return default;
            }

            // OpenIddict reads header typ "JWT" as an identity token; EmbeddedIdp issues none, so the payload decides.
            if (principal.GetTokenType() != TokenTypeIdentifiers.AccessToken && principal.GetClaim(KeycloakClaims.TokenType) == "Bearer")
            {
                principal.SetTokenType(TokenTypeIdentifiers.AccessToken);
            }

            if (context.ValidTokenTypes.Count > 0 && !context.ValidTokenTypes.Contains(principal.GetTokenType()!))
            {
                context.Reject(Errors.InvalidToken, "The token is not of an accepted type.");
                return default;
            }

            if (string.IsNullOrEmpty(principal.GetTokenId()) && principal.GetClaim(Claims.JwtId) is { } jti)
            {
                principal.SetTokenId(KeycloakClaims.EntryIdOf(jti));
            }

            return default;
        }
    }

    public sealed class AttachIssuerToDiscovery(Issuer issuer) : IOpenIddictServerHandler<HandleConfigurationRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<HandleConfigurationRequestContext>()
                .UseSingletonHandler<AttachIssuerToDiscovery>()
                .SetOrder(OpenIddictServerHandlers.Discovery.AttachIssuer.Descriptor.Order + 500)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(HandleConfigurationRequestContext context)
        {
            context.Issuer = new Uri(issuer.For(context.BaseUri));

            // Advertise only what is served: no "openid" scope, no private_key_jwt (realm clients use secrets).
            context.Scopes.Remove(Scopes.OpenId);
            context.TokenEndpointAuthenticationMethods.Remove(ClientAuthenticationMethods.PrivateKeyJwt);
            context.IntrospectionEndpointAuthenticationMethods.Remove(ClientAuthenticationMethods.PrivateKeyJwt);
            context.RevocationEndpointAuthenticationMethods.Remove(ClientAuthenticationMethods.PrivateKeyJwt);
            return default;
        }
    }

    public sealed class AttachIssuerToIntrospection(Issuer issuer) : IOpenIddictServerHandler<HandleIntrospectionRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<HandleIntrospectionRequestContext>()
                .UseSingletonHandler<AttachIssuerToIntrospection>()
                // Last, so it overrides the issuer OpenIddict's own introspection handlers attached.
                .SetOrder(int.MaxValue - 100_000)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(HandleIntrospectionRequestContext context)
        {
            context.Issuer = new Uri(issuer.For(context.BaseUri));
            return default;
        }
    }
}

/// <summary>Claim names and times as Keycloak writes them.</summary>
public static class KeycloakClaims
{
    /// <summary>Keycloak's payload <c>typ</c> ("Bearer"), not to be confused with the header <c>typ</c>.</summary>
    public const string TokenType = "typ";

    /// <summary>The header <c>typ</c> Keycloak writes on access tokens (OpenIddict's default is <c>at+jwt</c>).</summary>
    public const string JwtHeaderType = JsonWebTokenTypes.GenericJsonWebToken;

    /// <summary>
    /// Keycloak 26 writes <c>jti</c> as session type, token type and grant shortcuts, <c>:</c>, then the raw id
    /// (<c>DefaultTokenContextEncoderProvider.encodeTokenId</c>): every token here has a transient session (<c>tr</c>),
    /// is regular (<c>rt</c>) or lightweight (<c>lt</c>), and comes from client credentials (<c>cc</c>) or a token exchange (<c>te</c>).
    /// </summary>
    public static string JwtId(string entryId, bool lightweight, string grant) => $"tr{(lightweight ? "lt" : "rt")}{grant}:{entryId}";

    /// <summary>The token entry's id inside a <see cref="JwtId"/> (a bare id is returned unchanged).</summary>
    public static string EntryIdOf(string jwtId) => jwtId[(jwtId.LastIndexOf(':') + 1)..];

    public static (long IssuedAt, long ExpiresAt) Lifetime(System.Security.Claims.ClaimsPrincipal principal)
    {
        var created = principal.GetCreationDate() ?? DateTimeOffset.UtcNow;
        var expires = principal.GetExpirationDate() ?? created;
        return (created.ToUnixTimeSeconds(), expires.ToUnixTimeSeconds());
    }
}
