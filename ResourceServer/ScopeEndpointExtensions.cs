using ResourceServer;

namespace Microsoft.AspNetCore.Builder;

public static class ScopeEndpointExtensions
{
    /// <summary>
    /// The endpoint (or group) needs an authenticated caller whose token's <c>scope</c> claim lists
    /// <paramref name="scope"/> exactly. Without it: 403 with <c>WWW-Authenticate: Bearer error="insufficient_scope"</c>.
    /// </summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization().WithMetadata(new ScopeRequirement(scope));
}
