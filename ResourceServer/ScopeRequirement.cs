using Microsoft.AspNetCore.Authorization;

namespace ResourceServer;

/// <summary>
/// An endpoint needs this OAuth scope in the token's <c>scope</c> claim. As endpoint metadata it joins the
/// endpoint's authorization policy by itself (<see cref="IAuthorizationRequirementData"/>).
/// </summary>
public sealed class ScopeRequirement : IAuthorizationRequirement, IAuthorizationRequirementData
{
    public ScopeRequirement(string scope)
    {
        if (!Scopes.IsValidScopeToken(scope))
        {
            throw new ArgumentException($"'{scope}' is not a single OAuth scope (RFC 6749 §3.3).", nameof(scope));
        }

        Scope = scope;
    }

    public string Scope { get; }

    public IEnumerable<IAuthorizationRequirement> GetRequirements() => [this];
}
