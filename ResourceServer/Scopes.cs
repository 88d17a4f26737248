namespace ResourceServer;

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
