using System.Security.Claims;

namespace ResourceServer;

/// <summary>What introspection concluded about one token: accepted, rejected (401), or not decidable now (503).</summary>
internal abstract record IntrospectionOutcome
{
    /// <summary>Active and within every rule; <paramref name="Identity"/> is shared, so hand out clones.</summary>
    public sealed record Accepted(ClaimsIdentity Identity, DateTimeOffset Expires) : IntrospectionOutcome;

    public sealed record Rejected(TokenRejectedException Reason) : IntrospectionOutcome;

    public sealed record Unavailable(IdentityProviderUnavailableException Reason) : IntrospectionOutcome;
}
