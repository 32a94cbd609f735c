"""Word pools the synthesizer samples from: brands, people, places, products, texts.

Plain data. Each pool is a tuple so it cannot be mutated by a generator; a family names the pools
its fields draw from, so adding a value here varies every family that uses it.
"""

from __future__ import annotations

BRAND_HEADS = (
    "Acme", "Nimbus", "Verde", "Quantum", "Bluebird", "Northwind", "Pioneer", "Lumen", "Orbit", "Cobalt",
    "Maple", "Harbor", "Zephyr", "Atlas", "Kestrel", "Juniper", "Summit", "Tandem", "Vertex", "Willow",
    "Crescent", "Ember", "Falcon", "Granite", "Helix", "Indigo", "Lattice", "Meridian", "Nova", "Pebble",
)
BRAND_TAILS = ("", "ly", "io", " Labs", " Hub", " Works", " Cloud", "Base", " & Co", "Stack", " Market", " Bank")
TLDS = ("com", "io", "app", "net", "co", "org", "dev")

FIRST_NAMES = (
    "Alice", "Bruno", "Chen", "Dana", "Emeka", "Fatima", "Giulia", "Hiro", "Ines", "Jonas", "Kavya",
    "Liam", "Maya", "Nikolai", "Olga", "Priya", "Quinn", "Rosa", "Samir", "Tomás", "Uma", "Viktor",
    "Wen", "Ximena", "Yusuf", "Zoe",
)
LAST_NAMES = (
    "Anderson", "Bauer", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Haddad", "Ito", "Jensen",
    "Kowalski", "Lopez", "Müller", "Nakamura", "Okafor", "Petrov", "Rossi", "Silva", "Tanaka", "Usman",
    "Varga", "Wright", "Yilmaz", "Zhang",
)
COMPANIES = (
    "Globex", "Initech", "Umbrella Foods", "Stark Logistics", "Wayne Textiles", "Hooli", "Vandelay Imports",
    "Soylent Farms", "Tyrell Robotics", "Cyberdyne Audio", "Wonka Sweets", "Oceanic Travel",
)
CITIES = (
    "Lisbon", "Toronto", "Nairobi", "Osaka", "Berlin", "Denver", "Madrid", "Seoul", "Lyon", "Austin",
    "Porto", "Oslo", "Dublin", "Bogotá", "Melbourne", "Prague", "Chicago", "Hanoi",
)
STREETS = ("Oak Street", "Maple Avenue", "Harbor Road", "King's Lane", "Elm Court", "Sunset Blvd", "Mill Way", "Rua Augusta")
PRODUCTS = (
    "wireless mouse", "standing desk", "espresso grinder", "hiking backpack", "noise-cancelling headphones",
    "yoga mat", "cast iron skillet", "mechanical keyboard", "desk lamp", "running shoes", "water bottle",
    "phone stand", "rain jacket", "bluetooth speaker", "travel mug", "office chair", "usb-c hub",
)
PRODUCT_ADJ = ("Pro", "Lite", "Max", "Mini", "Classic", "Air", "2", "Plus", "Eco", "XL")
SEARCH_TOPICS = (
    "vegan lasagna recipe", "python dataclasses", "cheap flights to rome", "best trail running shoes",
    "how to repot a monstera", "quarterly tax deadlines", "jazz concerts this weekend", "used road bikes",
    "learn spanish online", "kids birthday party ideas", "budget spreadsheet template",
)
SUBJECTS = (
    "Quarterly report", "Lunch on Friday?", "Invoice #4821", "Project kickoff", "Updated contract",
    "Team offsite plan", "Password reset help", "Welcome aboard", "Design review notes", "Holiday schedule",
)
BODIES = (
    "Hi, please find the details attached. Let me know if anything is missing.",
    "Could we move our meeting to next week? Thanks!",
    "Following up on yesterday's call, here is the summary.",
    "The shipment left the warehouse this morning.",
    "Thanks for your help with the migration.",
)
ISSUE_TITLES = (
    "Login button unresponsive on Safari", "Export to CSV drops the last row", "Dark mode colors too low contrast",
    "Crash when uploading large files", "Typo in onboarding email", "Search ignores accents",
    "Timezone wrong in reminders", "Slow dashboard load for big teams",
)
LABELS = ("bug", "enhancement", "documentation", "question", "urgent", "good first issue", "backend", "ui")
PRIORITIES = ("Low", "Medium", "High", "Critical")
STATUSES = ("Open", "In progress", "Blocked", "Done", "Won't fix")
FILE_NAMES = (
    "budget-2026.xlsx", "team-photo.jpg", "contract_final.pdf", "notes.md", "slides-v3.pptx",
    "invoice_0921.pdf", "roadmap.docx", "logo.svg", "backup.zip", "meeting-recording.mp4",
)
FOLDERS = ("Documents", "Photos", "Invoices", "Projects", "Archive", "Shared with me", "Design", "Finance")
AIRPORTS = (
    "Lisbon (LIS)", "Toronto (YYZ)", "Nairobi (NBO)", "Osaka (KIX)", "Berlin (BER)", "Denver (DEN)",
    "Madrid (MAD)", "Seoul (ICN)", "Dublin (DUB)", "Chicago (ORD)",
)
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")
TIMES = ("9:00 AM", "9:30 AM", "10:00 AM", "11:15 AM", "1:00 PM", "2:30 PM", "3:45 PM", "4:00 PM", "5:30 PM")
SERVICES = ("Haircut", "Dental cleaning", "Massage (60 min)", "Car service", "Consultation", "Eye exam", "Personal training")
FORUM_BOARDS = ("General", "Help & Support", "Show and Tell", "Feature Requests", "Off-topic", "Announcements")
POST_TITLES = (
    "How do you organise your week?", "Firmware 2.3 broke my sync", "Share your desk setup",
    "Tips for a first marathon", "Is the API rate limit documented?", "Weekend project: a weather station",
)
AMOUNTS = ("25.00", "80.50", "120.00", "349.99", "1,200.00", "15.75", "500.00", "62.40")
REFERENCES = ("Rent March", "Dinner split", "Invoice 4821", "Birthday gift", "Loan repayment", "Gym fees")
LANGUAGES = ("English", "Português", "Deutsch", "Español", "Français", "日本語", "Italiano")
TIMEZONES = ("UTC", "Europe/Lisbon", "America/Toronto", "Asia/Tokyo", "Africa/Nairobi", "America/Denver")
ROLES = ("Admin", "Editor", "Viewer", "Billing manager", "Support agent")
DEAL_STAGES = ("Prospecting", "Qualified", "Proposal", "Negotiation", "Closed won", "Closed lost")
PHONES = ("+1 415 555 0134", "+351 912 345 678", "+44 20 7946 0958", "+81 3 1234 5678", "+49 30 901820")
JOB_TITLES = ("Head of Sales", "Account Manager", "CTO", "Procurement Lead", "Office Manager", "Founder")
PLANS = ("Starter", "Team", "Business", "Enterprise")
NAV_EXTRAS = ("Pricing", "Blog", "Help", "Docs", "Careers", "Contact", "About", "Status", "Community", "Partners")
FOOTER_LINKS = ("About us", "Careers", "Privacy", "Terms", "Cookies", "Accessibility", "Press", "Sitemap", "Security", "Contact")
TOPPINGS = ("Mushrooms", "Olives", "Extra cheese", "Peppers", "Onions", "Pepperoni", "Pineapple", "Jalapeños", "Basil", "Sweetcorn")
SIZES = ("Small", "Medium", "Large", "Family size")
SHIRT_SIZES = ("XS", "S", "M", "L", "XL", "XXL")
COLORS = ("Black", "White", "Navy", "Forest green", "Burgundy", "Sand", "Charcoal", "Sky blue")
FILTERS = ("Free shipping", "On sale", "4 stars & up", "New arrivals", "Eco-friendly", "Prime eligible", "Under $50")
SORTS = ("Relevance", "Price: low to high", "Price: high to low", "Newest", "Best selling", "Top rated")
NOTIFY_EVENTS = ("New comments", "Mentions", "Weekly summary", "Product news", "Security alerts", "Billing reminders", "Direct messages")
EXPORT_FORMATS = ("CSV", "PDF", "Excel (.xlsx)", "JSON", "Google Sheets")
FAQ_TOPICS = ("Billing", "Shipping", "Returns", "Account", "Privacy", "Orders")
FAQ_QUESTIONS = ("How do I update my card?", "When will I be charged?", "Can I get a refund?", "How do I change my address?",
                 "Where is my order?", "How do I delete my account?", "Can I pause my plan?")
INVOICES = ("INV-1042", "INV-1043", "INV-1057", "INV-1061", "INV-1078", "INV-1080", "INV-1093", "INV-1101", "INV-1112", "INV-1125")
AMENITIES = ("Free Wi-Fi", "Breakfast included", "Pool", "Parking", "Pet friendly", "Airport shuttle", "Gym")
INTERESTS = ("Hiking", "Cooking", "Photography", "Gaming", "Travel", "Music", "Gardening", "Reading")
TEAMS = ("Marketing", "Engineering", "Sales", "Design", "Finance", "Support")
