
namespace ResourceServer.Tests;

public sealed class ScopesTests
{
    [Theory]
    [InlineData("billing:read", "billing:read", true)]
    [InlineData("billing:write billing:read", "billing:read", true)]
    [InlineData("billing:readx", "billing:read", false)]
    [InlineData("billing:rea", "billing:read", false)]
    [InlineData("xbilling:read", "billing:read", false)]
    [InlineData("billing:read:all", "billing:read", false)]
    [InlineData("BILLING:READ", "billing:read", false)]
    [InlineData("billing:read,billing:write", "billing:read", false)]
    [InlineData("billing:write\tbilling:read", "billing:read", false)]
    [InlineData("billing:write  billing:read", "billing:read", true)]
    [InlineData("", "billing:read", false)]
    public void Scope_claim_is_matched_token_by_token(string claim, string scope, bool expected) =>
        Assert.Equal(expected, Scopes.Contains(claim, scope));

    [Theory]
    [InlineData("")]
    [InlineData("billing:read billing:write")]
    [InlineData("bad\"quote")]
    [InlineData("back\\slash")]
    public void RequireScope_refuses_anything_but_one_scope_token(string scope) =>
        Assert.Throws<ArgumentException>(() => new ScopeRequirement(scope));
}
