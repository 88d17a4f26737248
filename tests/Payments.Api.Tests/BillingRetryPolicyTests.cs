using ApiDefaults;
using Payments.Api.Billing;

namespace Payments.Api.Tests;

public sealed class BillingRetryPolicyTests
{
    [Theory]
    [InlineData("GET", null, true)]
    [InlineData("HEAD", null, true)]
    [InlineData("PUT", null, true)]
    [InlineData("DELETE", null, true)]
    [InlineData("POST", null, false)]
    [InlineData("PATCH", null, false)]
    [InlineData("POST", "payment-id", true)]
    public void Only_requests_that_are_safe_to_send_twice_are_retried(string method, string? idempotencyKey, bool retried)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "http://billing.test/invoices");
        if (idempotencyKey is not null)
        {
            request.Headers.Add(IdempotencyKey.Header, idempotencyKey);
        }

        Assert.Equal(retried, BillingClientExtensions.IsSafeToRepeat(request));
    }
}
