using System.Security.Claims;
using EmbeddedIdp.Keys;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;

namespace EmbeddedIdp.Server;

/// <summary>
/// Checks a token exchange's <c>subject_token</c> the way Keycloak's <c>AuthenticationManager.verifyIdentityToken</c>
/// does: one of our access tokens (signature by a published key, our issuer, payload <c>typ: Bearer</c>), not expired,
/// and its token entry still valid (not revoked). Any failure is one answer, as in Keycloak: not a valid token.
/// </summary>
public sealed class SubjectTokenValidator(SigningKeyStore keys, Issuer issuer, IOpenIddictTokenManager tokens)
{
    private static readonly JsonWebTokenHandler Reader = new() { MapInboundClaims = false };

    public async Task<ClaimsIdentity?> ValidateAsync(string token, Uri? baseUri, CancellationToken cancellationToken)
    {
        var result = await Reader.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = issuer.For(baseUri),
            ValidateAudience = false, // the exchange's own rule (requester in aud) answers with its own error
            IssuerSigningKeys = keys.Keys,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            ValidTypes = [KeycloakClaims.JwtHeaderType],
            // Keycloak's realm clock skew defaults to zero: an expired subject is expired.
            ClockSkew = TimeSpan.Zero,
            RequireExpirationTime = true,
        });

        if (!result.IsValid
            || result.ClaimsIdentity.FindFirst(KeycloakClaims.TokenType)?.Value != "Bearer"
            || result.ClaimsIdentity.FindFirst("jti")?.Value is not { Length: > 0 } id)
        {
            return null;
        }

        // jti carries the id of OpenIddict's entry: a revoked (or pruned) entry means a token we no longer stand by.
        var entry = await tokens.FindByIdAsync(KeycloakClaims.EntryIdOf(id), cancellationToken);
        return entry is not null && await tokens.HasStatusAsync(entry, OpenIddictConstants.Statuses.Valid, cancellationToken)
            ? result.ClaimsIdentity
            : null;
    }
}
