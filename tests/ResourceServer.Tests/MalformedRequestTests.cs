using System.Net;
using ResourceServer.Tests.Infrastructure;

namespace ResourceServer.Tests;

/// <summary>No Authorization header, however malformed or large, produces a 5xx.</summary>
[Collection(nameof(ResourceServerCollection))]
public sealed class MalformedRequestTests(ResourceServerFixture fixture)
{
    public static readonly TheoryData<string> MalformedWithToken = new(
        "Bearer not-a-jwt",
        "Bearer a.b.c",
        "Bearer ...",
        "Bearer a b c",
        "Bearer eyJhbGciOiJSUzI1NiJ9.eyJ.sig",
        "Bearer e30.e30.",
        "Bearer W10.W10.W10",
        "Bearer bnVsbA.bnVsbA.bnVsbA",
        "Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.%%%.%%%",
        "Bearer a.b.c.d.e",
        "Bearer \u00e9t\u00e9.\u00e9t\u00e9.\u00e9t\u00e9",
        "Bearer a.b." + new string('c', 10_000),
        "Bearer " + string.Join('.', Enumerable.Repeat(new string('e', 3_000), 3)));

    public static readonly TheoryData<string> WithoutBearerToken = new("", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Negotiate abc", "Bearertoken");

    [Theory, MemberData(nameof(MalformedWithToken))]
    public async Task Malformed_bearer_token_gets_401_invalid_token(string authorization)
    {
        using var response = await fixture.SendAsync(Resource.Read(authorization));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Theory, MemberData(nameof(WithoutBearerToken))]
    public async Task Authorization_header_without_a_bearer_token_gets_a_bare_challenge(string authorization)
    {
        using var response = await fixture.SendAsync(Resource.Read(authorization));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Theory]
    [InlineData(20_000, HttpStatusCode.Unauthorized)]
    [InlineData(70_000, HttpStatusCode.RequestHeaderFieldsTooLarge)]
    public async Task Oversized_Authorization_header_gets_a_4xx_never_a_5xx(int length, HttpStatusCode expected)
    {
        // Kestrel answers 431 beyond its 32 KB of request headers; below that the token's own size limit gives 401.
        using var response = await fixture.SendAsync(Resource.Read("Bearer " + new string('a', length)));

        Assert.Equal(expected, response.StatusCode);
    }
}
