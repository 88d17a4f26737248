using Microsoft.AspNetCore.Authorization;

namespace ServiceDefaults.Authentication;

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

/// <summary>Parses the <c>scope</c> claim exactly as RFC 6749 §3.3 defines it.</summary>
public static class Scopes
{
    public const string ClaimType = "scope";

    /// <summary>True when the space-separated <paramref name="scopeClaim"/> lists <paramref name="scope"/> as a whole token.</summary>
    public static bool Contains(string scopeClaim, string scope)
    {
        foreach (var range in scopeClaim.AsSpan().Split(' '))
        {
            if (scopeClaim.AsSpan(range).SequenceEqual(scope))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>scope-token = 1*( %x21 / %x23-5B / %x5D-7E ): printable ASCII except space, '"' and '\'.</summary>
    public static bool IsValidScopeToken(string? scope) =>
        !string.IsNullOrEmpty(scope) && scope.All(c => c is '!' or (>= '#' and <= '[') or (>= ']' and <= '~'));
}

/// <summary>Grants a <see cref="ScopeRequirement"/> when the caller's single <c>scope</c> claim lists the scope.</summary>
internal sealed class ScopeAuthorizationHandler : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        // More than one scope claim means an array-valued claim slipped through: grant nothing rather than guess.
        var claims = context.User.FindAll(Scopes.ClaimType).Take(2).ToList();
        if (context.User.Identity?.IsAuthenticated == true && claims.Count == 1 && Scopes.Contains(claims[0].Value, requirement.Scope))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
