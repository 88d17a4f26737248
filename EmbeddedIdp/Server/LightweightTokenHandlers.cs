using EmbeddedIdp.Realm;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace EmbeddedIdp.Server;

/// <summary>
/// Keycloak's lightweight access tokens (client attribute <c>client.use.lightweight.access.token.enabled</c>): the token
/// keeps only the claims Keycloak always writes (<c>iss typ azp scope jti iat exp</c>) and drops those its protocol
/// mappers add (<c>sub aud client_id preferred_username</c>); introspection puts them back, so only a resource server
/// that introspects learns the audience. Mappers' <c>lightweight.claim</c> switch is not read: no mapper of this realm sets it.
/// </summary>
public static class LightweightTokenHandlers
{
    // The claims Keycloak's sub, audience and service-account mappers add; a lightweight token goes without them.
    private static readonly HashSet<string> MapperClaims =
        [Claims.Subject, Claims.Audience, Claims.Private.Audience, Claims.ClientId, Claims.PreferredUsername];

    public static IEnumerable<OpenIddictServerHandlerDescriptor> All =>
        [OmitMapperClaims.Descriptor, RestoreMapperClaims.Descriptor];

    /// <summary>Runs after OpenIddict stored the token entry and before the Keycloak-format writer reads the principal.</summary>
    public sealed class OmitMapperClaims(RealmModel realm) : IOpenIddictServerHandler<GenerateTokenContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<GenerateTokenContext>()
                .UseSingletonHandler<OmitMapperClaims>()
                .SetOrder(TokenFormatHandlers.WriteKeycloakAccessToken.Descriptor.Order - 100)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(GenerateTokenContext context)
        {
            if (context.TokenType is TokenTypeIdentifiers.AccessToken
                && realm.FindClient(context.Principal.GetClaim(Claims.AuthorizedParty)) is { LightweightAccessTokens: true })
            {
                context.Principal = context.Principal.Clone(claim => !MapperClaims.Contains(claim.Type));
            }

            return default;
        }
    }

    /// <summary>
    /// When the IdP itself reads a token back (introspection, revocation), a lightweight one gets its mapper claims again,
    /// derived as Keycloak derives them: the service account of <c>azp</c>, and the audiences of the granted scopes.
    /// </summary>
    public sealed class RestoreMapperClaims(RealmModel realm) : IOpenIddictServerHandler<ValidateTokenContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
                .UseSingletonHandler<RestoreMapperClaims>()
                .SetOrder(TokenFormatHandlers.RestoreTokenIdentity.Descriptor.Order + 100)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ValidateTokenContext context)
        {
            if (context.Principal is not { } principal
                || principal.GetTokenType() != TokenTypeIdentifiers.AccessToken
                || principal.HasClaim(Claims.ClientId)
                || realm.FindClient(principal.GetClaim(Claims.AuthorizedParty)) is not { } client)
            {
                return default;
            }

            var scopes = principal.GetScopes();
            if (scopes.IsDefaultOrEmpty && principal.GetClaim(Claims.Scope) is { } scope)
            {
                scopes = [.. scope.Split(' ', StringSplitOptions.RemoveEmptyEntries)];
            }

            principal.SetClaim(Claims.Subject, client.ServiceAccountUserId)
                .SetClaim(Claims.ClientId, client.ClientId)
                .SetClaim(Claims.PreferredUsername, client.ServiceAccountUsername);
            principal.SetAudiences(scopes.Where(realm.Scopes.ContainsKey).SelectMany(name => realm.Scopes[name].Audiences).Distinct(StringComparer.Ordinal));
            principal.SetPresenters(client.ClientId);
            return default;
        }
    }
}
