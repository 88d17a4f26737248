using Microsoft.IdentityModel.JsonWebTokens;

namespace TestSupport.Conformance;

/// <summary>Key rotation: new tokens carry the new key id, tokens signed before still verify.</summary>
public abstract class KeyRotationConformance(IIdentityProvider idp) : IDisposable
{
    private readonly OAuthHttp _http = new(idp);

    [Fact]
    public async Task Token_signed_before_rotation_still_verifies_and_new_tokens_use_the_new_key()
    {
        var before = await _http.AccessTokenAsync("payments-service");

        await idp.RotateSigningKeyAsync(TestContext.Current.CancellationToken);
        var after = await _http.AccessTokenAsync("payments-service");

        var oldKid = new JsonWebToken(before).Kid;
        var newKid = new JsonWebToken(after).Kid;
        Assert.NotEqual(oldKid, newKid);

        var jwks = await _http.GetJsonAsync(_http.Endpoint("certs"));
        var kids = jwks.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()).ToList();
        Assert.Contains(oldKid, kids);
        Assert.Contains(newKid, kids);

        var old = await _http.ValidateAsync(before, "billing-api");
        var current = await _http.ValidateAsync(after, "billing-api");
        Assert.True(old.IsValid, old.Exception?.Message);
        Assert.True(current.IsValid, current.Exception?.Message);
    }

    [Fact]
    public async Task Withdrawn_key_is_no_longer_published_and_its_tokens_no_longer_verify_or_introspect()
    {
        var before = await _http.AccessTokenAsync("payments-service", "billing:write");
        var oldKid = new JsonWebToken(before).Kid;

        await idp.RotateSigningKeyAsync(TestContext.Current.CancellationToken);
        await idp.WithdrawSigningKeyAsync(oldKid, TestContext.Current.CancellationToken);
        var after = await _http.AccessTokenAsync("payments-service", "billing:write");

        var jwks = await _http.GetJsonAsync(_http.Endpoint("certs"));
        Assert.DoesNotContain(oldKid, jwks.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()));
        Assert.False((await _http.ValidateAsync(before, "billing-api")).IsValid);
        Assert.False((await _http.IntrospectAsync(before, "billing-api")).Json.GetProperty("active").GetBoolean());
        Assert.True((await _http.IntrospectAsync(after, "billing-api")).Json.GetProperty("active").GetBoolean());
    }

    public void Dispose()
    {
        _http.Dispose();
        GC.SuppressFinalize(this);
    }
}
