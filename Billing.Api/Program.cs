using Billing.Api;
using Billing.Api.Invoices;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddResourceServer();
builder.AddBillingApi();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapDefaultEndpoints();
app.MapApiDocumentation();
app.MapInvoicesApi();

app.Run();
