using System.Text.Json;

namespace ResourceServer.Tests.Introspection;

/// <summary>The rules applied to an introspection answer, one property at a time; each answer differs from an accepted one in one member.</summary>
public sealed class IntrospectionResponseTests
{
    private const string Issuer = "https://idp.example/realms/m2m";
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_900_000_000);
    private static readonly ResourceServerOptions Settings = new() { Audience = "billing-api" };

    [Fact]
    public void Answer_within_every_rule_is_accepted_with_its_claims()
    {
        var (identity, expires, rejection) = Validate(Answer());

        Assert.Null(rejection);
        Assert.Equal(Now.AddSeconds(300), expires);
        Assert.Equal("payments-service", identity!.Name);
        Assert.Equal("billing:read billing:write", identity.FindFirst("scope")!.Value);
        Assert.DoesNotContain(identity.Claims, claim => claim.Type == "active");
    }

    [Theory]
    [InlineData("active", "false", "The token is not active")]
    [InlineData("active", "\"true\"", "The token is not active")]
    [InlineData("iss", "\"https://evil.example/realms/m2m\"", "The issuer is invalid")]
    [InlineData("aud", "\"billing-api/\"", "The audience is invalid")]
    [InlineData("aud", "[\"payments-api\"]", "The audience is invalid")]
    [InlineData("exp", "1899999960", "The token is expired")]
    [InlineData("exp", "\"1900000300\"", "The token has no expiration")]
    [InlineData("nbf", "1900000060", "The token is not valid yet")]
    [InlineData("token_type", "\"DPoP\"", "The token type is not accepted")]
    [InlineData("typ", "\"Refresh\"", "The token type is not accepted")]
    [InlineData("token_usage", "\"refresh_token\"", "The token type is not accepted")]
    [InlineData("scope", "[\"billing:read\"]", "The scope claim must be a space-separated string")]
    public void Answer_breaking_one_rule_is_rejected_with_its_reason(string member, string json, string reason)
    {
        var (identity, _, rejection) = Validate(Answer((member, json)));

        Assert.Null(identity);
        Assert.Equal(reason, rejection?.Message);
    }

    [Theory]
    [InlineData("aud")]
    [InlineData("exp")]
    [InlineData("iss")]
    [InlineData("active")]
    public void Answer_missing_a_required_member_is_rejected(string member)
    {
        var (identity, _, rejection) = Validate(Answer((member, null)));

        Assert.Null(identity);
        Assert.NotNull(rejection);
    }

    [Fact]
    public void Audience_among_others_and_expiry_within_the_clock_skew_are_accepted()
    {
        var (identity, _, rejection) = Validate(Answer(("aud", "[\"payments-api\",\"billing-api\"]"), ("exp", "1899999990")));

        Assert.Null(rejection);
        Assert.Equal(["payments-api", "billing-api"], identity!.FindAll("aud").Select(c => c.Value));
    }

    private static (System.Security.Claims.ClaimsIdentity?, DateTimeOffset, TokenRejectedException?) Validate(string answer)
    {
        using var json = JsonDocument.Parse(answer);
        return IntrospectionResponse.Validate(json.RootElement, Settings, Issuer, Now);
    }

    /// <summary>Keycloak's answer for a payments-service token, with <paramref name="changes"/> applied (null removes a member).</summary>
    private static string Answer(params (string Member, string? Json)[] changes)
    {
        var members = new Dictionary<string, string>
        {
            ["active"] = "true",
            ["iss"] = $"\"{Issuer}\"",
            ["aud"] = "\"billing-api\"",
            ["sub"] = "\"6f1c1f4e-2d7a-4c55-9a59-8f3e0c2b7a01\"",
            ["azp"] = "\"payments-service\"",
            ["client_id"] = "\"payments-service\"",
            ["username"] = "\"service-account-payments-service\"",
            ["typ"] = "\"Bearer\"",
            ["token_type"] = "\"Bearer\"",
            ["scope"] = "\"billing:read billing:write\"",
            ["iat"] = "1900000000",
            ["exp"] = "1900000300",
        };
        foreach (var (member, json) in changes)
        {
            if (json is null)
            {
                members.Remove(member);
            }
            else
            {
                members[member] = json;
            }
        }

        return "{" + string.Join(",", members.Select(m => $"\"{m.Key}\":{m.Value}")) + "}";
    }
}
