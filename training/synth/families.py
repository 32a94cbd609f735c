"""Page families as data: one row per kind of task people do on the web.

Each family lists its screens (widgets in the order a person uses them) and objective templates
over slot names (`{email}`, `{product}`, …; `{brand}` is the site). Optional widgets carry a
`phrase` appended to the objective when a workflow includes them. `HELD_OUT` families never appear
in training data, so evaluation on them measures generalisation to unseen layouts and tasks.
"""

from __future__ import annotations

from training.synth.widgets import Button, Check, Choice, Family, Field, Items, Link, Reveal, Screen, Spinner

FAMILIES: tuple[Family, ...] = (
    Family(
        "sign_in", "account",
        (Screen("/login", "Sign in to your account", (
            Field("Email address", "email"),
            Field("Password", "password", kind="password"),
            Check("Remember me", phrase=" and stay signed in"),
            Link("Forgot password?", need="none"),
            Button("Sign in"),
            Button("Continue with Google", need="none", primary=False),
        )),),
        ("Sign in to {brand} as {email} with password {password}",
         "Log into my {brand} account using {email} and the password {password}",
         "Use {email} / {password} to sign in"),
        nav=("Home", "Features", "Pricing"),
    ),
    Family(
        "sign_up", "account",
        (Screen("/signup", "Create your account", (
            Field("First name", "first_name"),
            Field("Last name", "last_name"),
            Field("Work email", "email", kind="email"),
            Field("Password", "password", kind="password"),
            Field("Country", "country", kind="select", need="opt", phrase=", country {country}"),
            Check("I agree to the Terms of Service", need="req"),
            Check("Send me product updates", phrase=" and subscribe to product updates"),
            Button("Create account"),
        )),),
        ("Create a {brand} account for {first_name} {last_name} with email {email} and password {password}",
         "Sign up to {brand} as {first_name} {last_name} ({email}), password {password}, accepting the terms",
         "Register a new account: name {first_name} {last_name}, email {email}, password {password}"),
        nav=("Product", "Customers", "Pricing"),
    ),
    Family(
        "newsletter", "media",
        (Screen("/newsletter", "Get the weekly digest", (
            Field("Your email", "email", kind="email"),
            Check("Also send me event invitations", phrase=" and also get event invitations"),
            Button("Subscribe"),
        )),),
        ("Subscribe {email} to the {brand} newsletter", "Sign up for {brand}'s weekly digest with {email}"),
        nav=("News", "Opinion", "Culture", "Sport"),
    ),
    Family(
        "search_results", "search",
        (Screen("/", "Search the web", (Field("Search", "query", kind="search", key="Enter"),)),
         Screen("/search", "Results", (Items("result", "result", (5, 9), style="cards"),))),
        ("Search {brand} for '{query}' and open the result '{result}'",
         "Look up {query} and open '{result}'", "Find '{result}' by searching for {query}"),
        nav=("Images", "News", "Maps"),
    ),
    Family(
        "shop_checkout", "shop",
        (Screen("/", "Today's deals", (Field("Search products", "product_query", kind="search", key="Enter"),)),
         Screen("/search", "Search results", (Items("product", "product", (4, 8), style="cards"),)),
         Screen("/product", "Product details", (
             Field("Quantity", "quantity", kind="select", need="opt", phrase=" (quantity {quantity})"),
             Button("Add to cart"),
             Button("Add to wish list", need="none", primary=False))),
         Screen("/cart", "Your cart", (Button("Proceed to checkout"), Button("Continue shopping", need="none", primary=False))),
         Screen("/checkout", "Shipping address", (
             Field("Full name", "full_name"), Field("Street address", "street"),
             Field("City", "city"), Field("ZIP code", "zip"), Button("Place order")))),
        ("Buy the {product} on {brand} and ship it to {full_name}, {street}, {zip} {city}",
         "Search {brand} for {product_query}, order the {product} and deliver to {full_name} at {street}, {city} {zip}",
         "Order a {product} for {full_name} ({street}, {city}, {zip})"),
        nav=("Deals", "Electronics", "Home & Kitchen", "Sports"),
    ),
    Family(
        "settings", "saas",
        (Screen("/settings", "Settings", (Items("settings_section", "section", (4, 6), style="tabs"),)),
         Screen("/settings/preferences", "Preferences", (
             Field("Language", "language", kind="select"),
             Field("Time zone", "timezone", kind="select", need="opt", phrase=" and the time zone to {timezone}"),
             Check("Email notifications", phrase=" and turn on email notifications"),
             Button("Save changes"), Button("Discard", need="none", primary=False)))),
        ("In {brand} settings, open {section} and switch the language to {language}",
         "Change my {brand} language to {language} (under {section})"),
        nav=("Dashboard", "Projects", "Reports"), app=True,
    ),
    # ---- widgets real sites use: groups, listboxes, tabs, accordions, menus, dialogs, pickers
    Family(
        "pizza_order", "food",
        (Screen("/menu/margherita", "Build your pizza", (
            Choice("Size", "size", "size", "radio"),
            Choice("Toppings", "topping", "toppings", "checkbox", pick=(2, 3), count=(5, 8)),
            Spinner("Quantity", "pizzas", need="opt", phrase=", {pizzas} of them"),
            Button("Add to order"))),
         Screen("/basket", "Your order", (Button("Checkout"), Button("Add a drink", need="none", primary=False)))),
        ("Order a {size} pizza with {toppings} from {brand}", "{size} pizza, toppings {toppings}, then check out",
         "get me a {size} pizza topped with {toppings}"),
        nav=("Menu", "Deals", "Stores"),
    ),
    Family(
        "notification_settings", "saas",
        (Screen("/settings/account", "Account settings", (
            Reveal("Notifications", "tab", (
                Choice("Email me about", "notify_event", "events", "checkbox", pick=(1, 3), count=(4, 7)),
                Check("Pause all notifications", need="none", switch=True),
                Button("Save preferences")),
                others=("Profile", "Security", "Billing")),)),),
        ("In {brand} notification settings, turn on emails for {events}", "Get email notifications for {events} and save",
         "Enable {events} emails under Notifications"),
        nav=("Dashboard", "Projects", "Team"), app=True,
    ),
    Family(
        "report_export", "analytics",
        (Screen("/reports", "Reports", (
            Items("team", "team", (3, 6), style="tabs"),
            Reveal("Actions", "menu", (
                Reveal("Export", "menu", (Items("export_format", "format", (3, 5), style="menu"),)),),
                others=("Duplicate", "Rename", "Share", "Delete")),
            Button("New report", need="none", primary=False))),),
        ("Export the {team} report as {format}", "Download {brand}'s {team} report in {format} format",
         "open the {team} tab and export it to {format}"),
        nav=("Overview", "Reports", "Goals"), app=True,
    ),
    Family(
        "privacy_settings", "saas",
        (Screen("/settings/privacy", "Privacy", (
            Reveal("Ad preferences", "accordion", (
                Choice("Show me ads about", "interest", "ad_topics", "checkbox", pick=(1, 2), count=(4, 6)),),
                others=("Data sharing", "Cookies", "Connected apps")),
            Button("Save settings"), Button("Reset to defaults", need="none", primary=False))),),
        ("In {brand} privacy settings, only allow ads about {ad_topics}", "Open Ad preferences and tick {ad_topics}, then save",
         "set my ad interests to {ad_topics}"),
        nav=("Home", "Account", "Privacy"), app=True,
    ),
    Family(
        "crm_assign", "crm",
        (Screen("/deals", "Deals", (Items("company", "deal", (4, 8), style="table", row_button="Open", columns=("stage", "amount")),)),
         Screen("/deals/detail", "Deal details", (
            Choice("Owner", "full_name", "owner", "listbox", count=(4, 7)),
            Choice("Stage", "stage", "stage", "listbox", need="opt", phrase=" and set the stage to {stage}"),
            Button("Save"), Button("Delete deal", need="none", primary=False)))),
        ("Assign the {deal} deal to {owner}", "Make {owner} the owner of the {deal} deal in {brand}",
         "Change the owner of {deal} to {owner}"),
        nav=("Deals", "Contacts", "Pipeline", "Tasks"), app=True,
    ),
    Family(
        "profile_dialog", "saas",
        (Screen("/profile", "Your profile", (
            Reveal("Edit profile", "dialog", (
                Field("Display name", "full_name", slot="display_name"),
                Field("Job title", "job_title", need="opt", phrase=" and job title {job_title}"),
                Button("Save changes"), Button("Cancel", need="none", primary=False)), title="Edit profile"),
            Link("View public profile", need="none"))),),
        ("Change my display name on {brand} to {display_name}", "Rename my profile to {display_name}",
         "update display name -> {display_name}"),
        nav=("Home", "Projects", "People"), app=True,
    ),
    Family(
        "inbox_reply", "mail",
        (Screen("/mail/inbox", "Inbox", (Items("subject", "mail", (5, 9), style="mail", columns=("full_name",)),)),
         Screen("/mail/thread", "Conversation", (
            Button("Reply", icon="↩"), Button("Forward", need="none", icon="→"), Button("Delete", need="none", icon="🗑"),
            Field("Reply", "body", slot="reply", kind="textarea"),
            Button("Send")))),
        ("Reply to the email {mail} with: {reply}", "Answer the {mail} message saying {reply}",
         "open {mail} and reply {reply}"),
        nav=("Inbox", "Starred", "Sent", "Drafts"), app=True,
    ),
    Family(
        "inbox_delete", "mail",
        (Screen("/mail/inbox", "Inbox", (Items("subject", "mail", (5, 9), style="mail", columns=("full_name",)),)),
         Screen("/mail/thread", "Conversation", (
            Button("Reply", need="none", icon="↩"), Button("Archive", need="none", icon="🗄"),
            Reveal("Delete", "dialog", (Button("Delete conversation"), Button("Cancel", need="none", primary=False)),
                   title="Delete this conversation?")))),
        ("Delete the email {mail}", "Get rid of the {mail} message in my inbox", "trash the email titled {mail}"),
        nav=("Inbox", "Starred", "Sent", "Spam"), app=True,
    ),
    Family(
        "social_reply", "social",
        (Screen("/home", "Home", (
            Reveal("Following", "tab", (
                Items("full_name", "author", (3, 6), style="feed", row_button="Reply", row_extra=("Like", "Share"), columns=("post",)),),
                others=("For you", "Trending")),)),
         Screen("/post/reply", "Reply", (Field("Post your reply", "body", slot="reply", kind="textarea"), Button("Reply")))),
        ("Reply to {author}'s post in my Following feed: {reply}", "In Following, answer {author} with {reply}",
         "respond to the post by {author} saying {reply}"),
        nav=("Home", "Explore", "Notifications", "Messages"), app=True,
    ),
    Family(
        "shop_filters", "shop",
        (Screen("/c/shoes", "Running shoes", (
            Choice("Filters", "filter", "filters", "chips", pick=(1, 2), count=(4, 6)),
            Choice("Sort by", "sort", "sort", "listbox", need="opt", phrase=", sorted by {sort}"),
            Items("product", "product", (4, 6), style="cards", paged=True))),
         Screen("/product", "Product details", (
            Choice("Color", "color", "color", "radio", need="opt", phrase=" in {color}"),
            Choice("Size", "shirt_size", "shoe_size", "cards", count=(4, 6)),
            Button("Add to cart")))),
        ("Filter by {filters} and add the {product} in size {shoe_size} to my cart",
         "Show {filters} shoes, find {product} and add size {shoe_size} to the cart",
         "add {product} size {shoe_size} to cart (filter: {filters})"),
        nav=("Men", "Women", "Kids", "Sale"),
    ),
    Family(
        "car_rental", "travel",
        (Screen("/cars", "Rent a car", (
            Field("Pick-up location", "city", slot="pickup", suggest=True),
            Reveal("Pick-up date", "calendar", (Items("day", "pickup_day", style="grid", heading="March 2027"),), title="March 2027"),
            Spinner("Drivers", "drivers", need="opt", phrase=" for {drivers} drivers"),
            Button("Search cars"))),
         Screen("/cars/results", "Available cars", (
            Items("company", "car", (4, 7), style="table", row_button="Select", row_extra=("Details",), columns=("amount",)),))),
        ("Rent a car in {pickup} from March {pickup_day} and choose the one from {car}",
         "Find a rental car picking up in {pickup} on March {pickup_day}; select {car}",
         "car hire {pickup}, march {pickup_day}, go with {car}"),
        nav=("Cars", "Deals", "Locations", "Help"),
    ),
    Family(
        "language_onboarding", "learning",
        (Screen("/welcome", "Welcome! Step 1 of 3", (
            Field("Your name", "full_name"), Button("Next"), Button("Back", need="none", primary=False)), progress="Step 1 of 3"),
         Screen("/welcome/language", "Choose a language. Step 2 of 3", (
            Choice("I want to learn", "language", "language", "scroll"), Button("Next")), progress="Step 2 of 3"),
         Screen("/welcome/interests", "Your interests. Step 3 of 3", (
            Choice("Interests", "interest", "interests", "checkbox", pick=(1, 3), count=(5, 8)),
            Button("Finish"), Button("Back", need="none", primary=False)), progress="Step 3 of 3")),
        ("Set up my {brand} profile as {full_name}, learning {language}, interested in {interests}",
         "Onboarding: name {full_name}, language {language}, interests {interests}"),
        nav=("Courses", "Community"),
    ),
    Family(
        "invoice_table", "finance",
        (Screen("/invoices", "Invoices", (
            Items("invoice", "invoice", (4, 5), style="table", row_button="Download", row_extra=("Edit", "Void"),
                  columns=("customer", "amount"), paged=True),
            Button("New invoice", need="none", primary=False))),),
        ("Download invoice {invoice}", "Get the PDF of {invoice} from {brand}", "download {invoice}"),
        nav=("Invoices", "Customers", "Payments", "Reports"), app=True,
    ),
    # held out: the same widgets in flows and layouts the model never trains on
    Family(
        "help_center", "support",
        (Screen("/help", "Help center", (
            Field("Search help articles", "query", need="none", kind="search"),
            Reveal("Billing", "accordion", (Items("faq_question", "question", (3, 5), style="list"),),
                   others=("Shipping", "Returns", "Account")))),
         Screen("/help/article", "Article", (
            Button("Yes, this helped", need="none", primary=False), Button("Contact support")))),
        ("In {brand} help, open Billing, read {question} and contact support",
         "Find the Billing article {question} then reach support"),
        nav=("Help", "Community", "Status"),
    ),
    Family(
        "inbox_forward", "mail",
        (Screen("/mail/inbox", "Inbox", (Items("subject", "mail", (5, 9), style="mail", columns=("full_name",), paged=True),)),
         Screen("/mail/thread", "Conversation", (
            Button("Reply", need="none", icon="↩"),
            Reveal("More", "menu", (Button("Forward"),), others=("Mark as unread", "Print", "Block sender")))),
         Screen("/mail/forward", "Forward message", (Field("To", "email", kind="email"), Button("Send")))),
        ("Forward the {mail} email to {email}", "Send {mail} on to {email}", "fwd {mail} to {email}"),
        nav=("Inbox", "Starred", "Sent", "Drafts"), app=True,
    ),
    Family(
        "social_share", "social",
        (Screen("/explore", "Explore", (
            Items("full_name", "author", (3, 6), style="feed", row_button="Share", row_extra=("Like", "Reply"), columns=("post",)),)),
         Screen("/share", "Share post", (
            Choice("Share to", "share_target", "target", "radio", count=(3, 3)),
            Field("Add a comment", "body", slot="comment", kind="textarea", need="opt", phrase=" with the comment {comment}"),
            Button("Share")))),
        ("Share {author}'s post via {target}", "Pass on the post by {author} ({target})"),
        nav=("Home", "Explore", "Notifications"), app=True,
    ),
    Family(
        "hotel_booking", "travel",
        (Screen("/hotels", "Find a stay", (
            Field("Destination", "city", slot="destination", suggest=True),
            Reveal("Check-in", "calendar", (Items("day", "checkin", style="grid", heading="June 2027"),), title="June 2027"),
            Spinner("Guests", "guests", start=2),
            Button("Search"))),
         Screen("/hotels/results", "Stays", (
            Choice("Amenities", "amenity", "amenities", "chips", pick=(1, 1), count=(4, 6)),
            Items("company", "hotel", (4, 6), style="cards"))),),
        ("Find a hotel in {destination} from June {checkin} for {guests} guests with {amenities} and open {hotel}",
         "{destination}, check-in June {checkin}, {guests} guests, {amenities}: show me {hotel}"),
        nav=("Stays", "Flights", "Experiences"),
    ),
    Family(
        "calendar_booking", "booking",
        (Screen("/book", "Choose a service", (Items("service", "service", (4, 7), style="list"),)),
         Screen("/book/date", "Pick a date and time", (
             Items("day", "day", (20, 30), style="grid", heading="November 2026"),
             Items("time", "time", (4, 8), style="list", heading="Available times"))),
         Screen("/book/details", "Your details", (
             Field("Name", "full_name"), Field("Email", "email", kind="email"),
             Field("Phone", "phone", kind="tel", need="opt", phrase=", phone {phone}"),
             Button("Confirm booking")))),
        ("Book a {service} at {brand} on November {day} at {time} for {full_name} ({email})",
         "Schedule {service} for {full_name}, email {email}, on Nov {day}, {time}"),
        nav=("Services", "Team", "Locations"),
    ),
    Family(
        "email_compose", "mail",
        (Screen("/mail/inbox", "Inbox", (Button("Compose"), Items("subject", "inbox_item", (4, 8), style="list", need="none"))),
         Screen("/mail/compose", "New message", (
             Field("To", "email", kind="email"),
             Field("Cc", "email", slot="cc_email", kind="email", need="opt", phrase=", cc {cc_email}"),
             Field("Subject", "subject"), Field("Message", "body", kind="textarea"),
             Button("Send"), Button("Save draft", need="none", primary=False)))),
        ("Email {email} with the subject '{subject}' saying: {body}",
         "Write to {email}: subject '{subject}', message '{body}'"),
        nav=("Inbox", "Starred", "Sent", "Drafts"), app=True,
    ),
    Family(
        "data_table", "saas",
        (Screen("/orders", "Orders", (
            Field("Status", "status", kind="select"),
            Field("Search customers", "company", slot="filter", need="none"),
            Button("Apply filters"),
            Items("customer", "row", (5, 10), style="table", row_button="View", columns=("status", "amount")))),),
        ("Show only {status} orders and open the order from {row}",
         "Filter the orders table to '{status}', then view {row}'s order"),
        nav=("Orders", "Customers", "Analytics"), app=True,
    ),
    Family(
        "crm_edit", "crm",
        (Screen("/contacts", "Contacts", (
            Field("Search contacts", "full_name", slot="contact", kind="search", need="opt", key="Enter",
                  phrase=" (search for them first)"),
            Items("full_name", "contact", (5, 9), style="table", row_button="Edit", columns=("company", "job_title")))),
         Screen("/contacts/edit", "Edit contact", (
             Field("Phone", "phone", kind="tel"), Field("Job title", "job_title"),
             Field("Deal stage", "stage", kind="select", need="opt", phrase=" and move the deal to {stage}"),
             Button("Save"), Button("Delete contact", need="none", primary=False)))),
        ("Update {contact}'s phone to {phone} and job title to {job_title} in {brand}",
         "In the CRM, edit {contact}: phone {phone}, title {job_title}"),
        nav=("Contacts", "Companies", "Deals", "Tasks"), app=True,
    ),
    Family(
        "issue_tracker", "dev",
        (Screen("/issues", "Issues", (Button("New issue"), Items("issue_title", "existing", (3, 7), style="list", need="none"))),
         Screen("/issues/new", "New issue", (
             Field("Title", "issue_title"), Field("Description", "body", kind="textarea"),
             Field("Label", "label", kind="select"),
             Field("Priority", "priority", kind="select", need="opt", phrase=" with {priority} priority"),
             Field("Assignee", "full_name", slot="assignee", kind="select", need="opt", phrase=", assigned to {assignee}"),
             Button("Submit new issue")))),
        ("File an issue titled '{issue_title}' labelled {label}, description: {body}",
         "Open a new {label} issue '{issue_title}' explaining: {body}"),
        nav=("Code", "Issues", "Pull requests", "Actions"), app=True,
    ),
    Family(
        "file_manager", "drive",
        (Screen("/drive", "My Drive", (Items("folder", "folder", (4, 8), style="grid"),)),
         Screen("/drive/folder", "Files", (Items("file", "file", (4, 9), style="table", row_button="Share", columns=("full_name",)),)),
         Screen("/drive/share", "Share file", (
             Field("Add people by email", "email", kind="email"),
             Field("Permission", "permission", kind="select", need="opt", phrase=" as {permission}"),
             Button("Send invite"), Button("Copy link", need="none", primary=False)))),
        ("Share {file} in the {folder} folder with {email}", "Give {email} access to {folder}/{file}"),
        nav=("My Drive", "Shared", "Recent", "Trash"), app=True,
    ),
    Family(
        "travel_search", "travel",
        (Screen("/flights", "Find flights", (
            Field("From", "airport", slot="origin"), Field("To", "airport", slot="destination"),
            Field("Depart", "date", kind="date"),
            Field("Passengers", "quantity", slot="passengers", kind="select", need="opt", phrase=" for {passengers} passengers"),
            Button("Search flights"))),
         Screen("/flights/results", "Select your flight", (
             Items("flight", "flight", (4, 7), style="table", row_button="Select", columns=("amount",)),
             Button("Continue")))),
        ("Find a flight from {origin} to {destination} on {date} and pick {flight}",
         "Book travel {origin} → {destination}, departing {date}, choosing flight {flight}"),
        nav=("Flights", "Hotels", "Cars", "My trips"),
    ),
    Family(
        "forum_post", "forum",
        (Screen("/forum", "Community forum", (Items("board", "board", (4, 6), style="list"),)),
         Screen("/forum/board", "Topics", (Button("New topic"), Items("post_title", "other_topic", (3, 6), style="list", need="none"))),
         Screen("/forum/new", "Start a new topic", (
             Field("Topic title", "post_title"), Field("Your message", "body", kind="textarea"),
             Check("Notify me of replies", phrase=" and get notified of replies"),
             Button("Post topic")))),
        ("Post '{post_title}' in the {board} board of the {brand} forum with the message: {body}",
         "Start a topic in {board} titled '{post_title}': {body}"),
        nav=("Forum", "Members", "Rules"),
    ),
    Family(
        "bank_transfer", "bank",
        (Screen("/accounts", "Accounts overview", (Link("Transfers"), Items("account", "other_account", (2, 4), style="list", need="none"))),
         Screen("/transfers/new", "New transfer", (
             Field("From account", "account", kind="select"),
             Field("Recipient name", "full_name", slot="recipient"), Field("IBAN", "iban"),
             Field("Amount", "amount"), Field("Reference", "reference", need="opt", phrase=" with reference '{reference}'"),
             Button("Continue"))),
         Screen("/transfers/confirm", "Review transfer", (Button("Confirm transfer"), Button("Edit", need="none", primary=False)))),
        ("Send {amount} from {account} to {recipient} (IBAN {iban})",
         "Transfer {amount} to {recipient}, IBAN {iban}, paying from {account}"),
        nav=("Accounts", "Cards", "Payments", "Support"), app=True,
    ),
    Family(
        "admin_dashboard", "admin",
        (Screen("/admin", "Dashboard", (Link("Users"), Link("View reports", need="none"))),
         Screen("/admin/users", "Users", (Button("Invite user"), Items("full_name", "member", (3, 7), style="table", need="none", columns=("role",)))),
         Screen("/admin/users/invite", "Invite a user", (
             Field("Email", "email", kind="email"), Field("Role", "role", kind="select"),
             Check("Send welcome email", phrase=" with a welcome email"),
             Button("Send invitation")))),
        ("Invite {email} to {brand} as {role}", "Add a new {role} user {email} from the admin dashboard"),
        nav=("Dashboard", "Users", "Billing", "Audit log"), app=True,
    ),
    Family(
        "support_ticket", "support",
        (Screen("/support/new", "Contact support", (
            Field("Topic", "topic", kind="select"), Field("Subject", "subject"),
            Field("Order number", "order", need="opt", phrase=" about order {order}"),
            Field("Describe the problem", "body", kind="textarea"),
            Button("Submit request"))),),
        ("Open a {topic} support request '{subject}': {body}", "Ask {brand} support ({topic}) with subject '{subject}': {body}"),
        nav=("Help center", "Community", "Status"),
    ),
    Family(
        "password_change", "account",
        (Screen("/settings/security", "Change password", (
            Field("Current password", "password", slot="old_password", kind="password"),
            Field("New password", "password", slot="new_password", kind="password"),
            Field("Confirm new password", "password", slot="new_password", kind="password"),
            Check("Sign out of all other devices", phrase=" and sign out everywhere else"),
            Button("Update password"), Button("Cancel", need="none", primary=False))),),
        ("Change my {brand} password from {old_password} to {new_password}",
         "My password is {old_password}; set it to {new_password} in both new-password boxes",
         "new password {new_password} (current: {old_password})"),
        nav=("Account", "Security", "Billing"), app=True,
    ),
    Family(
        "email_change", "account",
        (Screen("/settings/email", "Change email address", (
            Field("New email", "email", slot="new_email", kind="email"),
            Field("Confirm new email", "email", slot="new_email", kind="email"),
            Field("Current password", "password"),
            Button("Save email"), Link("Keep my current email", need="none"))),),
        ("Change my {brand} email to {new_email}; my password is {password}",
         "type {new_email} into both email fields, confirm with password {password}",
         "new login email {new_email} (password {password})"),
        nav=("Profile", "Email", "Security"), app=True,
    ),
    Family(
        "interest_picker", "media",
        (Screen("/welcome/topics", "What do you want to read about?", (
            Choice("Topics", "filter", "topics", "checkbox", pick=(2, 4), count=(4, 8)),
            Button("Done"), Link("Skip for now", need="none"))),),
        ("Follow {topics} on {brand}", "tick {topics} as my topics", "I'm interested in {topics} only"),
        nav=("Top stories", "Local", "Video"),
    ),
    Family(
        "quick_poll", "social",
        (Screen("/polls/today", "Poll of the day", (
            Choice("Your answer", "color", "answer", "radio", count=(3, 6)),
            Button("Vote"), Button("See results", need="none", primary=False))),),
        ("Vote {answer} in today's {brand} poll", "answer the poll with {answer}", "choose {answer} and vote"),
        nav=("Feed", "Polls", "Groups"),
    ),
    Family(
        "region_picker", "shop",
        (Screen("/preferences/region", "Region and language", (
            Field("Country / region", "country", kind="select"),
            Field("Language", "language", kind="select", need="opt", phrase=" with {language} as the language"),
            Button("Save region"))),),
        ("Set my {brand} region to {country}", "switch the shop to {country}", "pick {country} as my country"),
        nav=("Shop", "Orders", "Help"),
    ),
    Family(
        "flight_lookup", "travel",
        (Screen("/flights", "Find a flight", (
            Field("From", "city", slot="origin", suggest=True),
            Field("To", "city", slot="destination", suggest=True),
            Button("Show flights"))),),
        ("Find flights from {origin} to {destination}", "search {brand} for {origin} → {destination}",
         "flights {origin} to {destination} please"),
        nav=("Flights", "Hotels", "Deals"),
    ),
    Family(
        "job_application", "jobs",
        (Screen("/careers", "Open positions", (Items("job", "job", (4, 8), style="cards"),)),
         Screen("/careers/job", "Job description", (Button("Apply now"), Link("Share this job", need="none"))),
         Screen("/careers/apply", "Apply", (
             Field("Full name", "full_name"), Field("Email", "email", kind="email"), Field("Phone", "phone", kind="tel"),
             Field("LinkedIn profile", "linkedin", need="opt", phrase=", LinkedIn {linkedin}"),
             Check("I consent to the processing of my data", need="req"),
             Button("Submit application")))),
        ("Apply for the {job} job at {brand} as {full_name}, {email}, {phone}",
         "Send an application to '{job}' with name {full_name}, email {email} and phone {phone}"),
        nav=("About", "Teams", "Careers"),
    ),
)

#: Families kept out of training (different flows and layouts; same skills).
HELD_OUT: frozenset[str] = frozenset({"calendar_booking", "forum_post", "bank_transfer", "job_application",
                                     "help_center", "inbox_forward", "hotel_booking", "social_share"})

BY_NAME = {f.name: f for f in FAMILIES}
