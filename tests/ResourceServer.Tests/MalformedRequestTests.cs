using System.Net;
using Billing.Api.Tests.Infrastructure;

namespace Billing.Api.Tests.TokenValidation;

/// <summary>No Authorization header, however malformed or large, produces a 5xx.</summary>
[Collection(nameof(BillingApiCollection))]
public sealed class MalformedRequestTests(BillingApiFixture fixture)
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
        "Bearer " + new string('a', 100_000),
        "Bearer " + string.Join('.', Enumerable.Repeat(new string('e', 3_000), 3)));

    public static readonly TheoryData<string> WithoutBearerToken = new("", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Negotiate abc", "Bearertoken");

    [Theory, MemberData(nameof(MalformedWithToken))]
    public async Task Malformed_bearer_token_gets_401_invalid_token(string authorization)
    {
        using var response = await fixture.SendAsync(Requests.For(Endpoint.ListInvoicesOfPayment, fixture, authorization));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Theory, MemberData(nameof(WithoutBearerToken))]
    public async Task Authorization_header_without_a_bearer_token_gets_a_bare_challenge(string authorization)
    {
        using var response = await fixture.SendAsync(Requests.For(Endpoint.ListInvoicesOfPayment, fixture, authorization));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
    }
}

/// <summary>The same over real Kestrel, whose header limits a test server does not have.</summary>
public sealed class OversizedHeaderOverKestrelTests
{
    [Theory]
    [InlineData(20_000, HttpStatusCode.Unauthorized)]
    [InlineData(70_000, HttpStatusCode.RequestHeaderFieldsTooLarge)]
    public async Task Oversized_Authorization_header_gets_a_4xx_never_a_5xx(int length, HttpStatusCode expected)
    {
        await using var factory = new BillingApiFactory("http://127.0.0.1:1/realms/m2m");
        factory.UseKestrel(0);
        factory.StartServer();
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/invoices?paymentId=p");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + new string('a', length));

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(expected, response.StatusCode);
    }
}
